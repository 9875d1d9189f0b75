import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The byte heap only makes copies cheaper: with it off, or too small for every stream, arena and staging (so some
 * are plain Buffers and the WebAssembly parser copies those in), the pipeline must give the same rows. The
 * pipeline's own tests, which compare every row against the record path, run again in a process of each kind.
 */
describe('Pipeline without room in the byte heap', function () {
  this.timeout(120_000);
  const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
  const suite = fileURLToPath(new URL('./pipeline.test.js', import.meta.url));

  for (const [mb, what] of [['0', 'with the heap off'], ['9', 'with a heap of 1 MiB of blocks, full after a few connections']] as const) {
    it(`gives the same rows ${what} (NIXIE_BYTE_HEAP_MB=${mb})`, () => {
      const r = spawnSync(process.execPath, [mocha, '--reporter', 'dot', suite], { env: { ...process.env, NIXIE_BYTE_HEAP_MB: mb }, encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /[1-9]\d* passing/);
      assert.doesNotMatch(r.stdout, /failing|pending/);
    });
  }
});
