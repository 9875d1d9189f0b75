import assert from 'node:assert/strict';
import { PXL_ERROR_CODES, pxlError } from '../src/errors.js';

describe('PxL error registry', () => {
  it('every code is NIXIE_ERR_PXL_*, documented, and fills its message', () => {
    for (const [code, { message, doc }] of Object.entries(PXL_ERROR_CODES)) {
      assert.match(code, /^NIXIE_ERR_PXL_[A-Z_]+$/);
      assert.ok(doc.length > 10, `${code} has docs`);
      const n = (message.match(/%s/g) ?? []).length;
      const e = pxlError(code as keyof typeof PXL_ERROR_CODES, { line: 2, column: 3 }, ...Array.from({ length: n }, (_, i) => `a${i}`));
      assert.ok(!e.message.includes('%s'));
      assert.match(e.message, /^2:3: /);
    }
  });
});
