import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, createBpfError, isNixieBpfError, type BpfErrorCode } from '../src/errors.js';

const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

describe('libbpf-ts error registry', () => {
  it('README lists every code with its doc line, and nothing else', () => {
    const rows = [...readFileSync(README, 'utf8').matchAll(/^\| `(NIXIE_ERR_[A-Z_]+)` \| (.+) \|$/gm)];
    assert.deepEqual(
      Object.fromEntries(rows.map((m) => [m[1], m[2]])),
      Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.doc])),
    );
  });

  it('codes are NIXIE_ERR_BPF_* and messages fill every %s', () => {
    for (const code of Object.keys(ERROR_CODES) as BpfErrorCode[]) {
      assert.match(code, /^NIXIE_ERR_BPF_[A-Z_]+$/);
      const e = createBpfError(code, 'a', 'b', 'c', 'd', 'e');
      assert.ok(isNixieBpfError(e, code));
      assert.doesNotMatch(e.message, /%s/);
    }
  });
});
