import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ERROR_CODES, createError, NixieError } from '../src/errors.js';

const docs = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'errors.md'), 'utf8');

describe('error registry', () => {
  const codes = Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[];

  it('names every code NIXIE_ERR_<AREA>_<WHAT>', () => {
    for (const c of codes) assert.match(c, /^NIXIE_ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
  });

  it('documents every core code in docs/errors.md, and documents no code core lacks', () => {
    const section = docs.split('## @nixie/core')[1]?.split('\n## ')[0] ?? '';
    const documented = new Set([...section.matchAll(/`(NIXIE_ERR_[A-Z0-9_]+)`/g)].map((m) => m[1]!));
    for (const c of codes) assert.ok(documented.has(c), `${c} is missing from docs/errors.md`);
    for (const d of documented) assert.ok(codes.includes(d as (typeof codes)[number]), `docs/errors.md lists ${d}, which core does not define`);
  });

  it('fills the message template in order and keeps the code', () => {
    const e = createError('NIXIE_ERR_PLUGIN_DUPLICATE', 'p');
    assert.ok(e instanceof NixieError);
    assert.equal(e.code, 'NIXIE_ERR_PLUGIN_DUPLICATE');
    assert.equal(e.message, 'plugin p is registered twice');
  });

  it('has a message and a doc line for every code, and no unfilled placeholders in docs', () => {
    for (const c of codes) {
      assert.ok(ERROR_CODES[c].message.length > 0);
      assert.ok(ERROR_CODES[c].doc.length > 10);
    }
  });
});
