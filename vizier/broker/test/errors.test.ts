import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VIZIER_ERROR_CODES, createVizierError, VizierError } from '../src/errors.js';

describe('vizier error registry', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  it('documents every code in README.md with its doc line, and nothing else', () => {
    const listed = [...readme.matchAll(/^\| `(NIXIE_ERR_VIZIER_[A-Z_]+)` \| (.*) \|$/gm)];
    assert.deepEqual(listed.map((m) => m[1]).sort(), Object.keys(VIZIER_ERROR_CODES).sort());
    for (const m of listed) assert.equal(m[2], VIZIER_ERROR_CODES[m[1] as keyof typeof VIZIER_ERROR_CODES].doc);
  });
  it('fills the message template in order', () => {
    const e = createVizierError('NIXIE_ERR_VIZIER_NOT_FOUND', 'GET', '/x', 'list');
    assert.ok(e instanceof VizierError);
    assert.equal(e.code, 'NIXIE_ERR_VIZIER_NOT_FOUND');
    assert.equal(e.message, 'no such endpoint: GET /x (endpoints: list)');
  });
});
