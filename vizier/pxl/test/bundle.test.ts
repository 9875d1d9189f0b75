import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TABLES } from '@nixie/core';
import { bundleCalls, listBundles, loadBundle } from '../src/bundle.js';
import { compileBundle } from '../src/compile-bundle.js';
import { isPxlError } from '../src/errors.js';

describe('script bundles', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nixie-px-'));
    mkdirSync(path.join(dir, 'mine'));
    writeFileSync(
      path.join(dir, 'mine', 'mine.pxl'),
      `import px\ndef f(start_time: str, n: int):\n    return px.DataFrame(table='http_events', start_time=start_time).head(n)\n`,
    );
    writeFileSync(path.join(dir, 'mine', 'manifest.yaml'), 'short: Mine\nlong: >\n  A longer text.\n');
    writeFileSync(
      path.join(dir, 'mine', 'vis.json'),
      JSON.stringify({
        variables: [
          { name: 'start_time', type: 'PX_STRING', defaultValue: '-5m' },
          { name: 'n', type: 'PX_INT64', defaultValue: '10' },
        ],
        globalFuncs: [{ outputName: 'out', func: { name: 'f', args: [{ name: 'start_time', variable: 'start_time' }, { name: 'n', variable: 'n' }] } }],
        widgets: [{ name: 'w', func: { name: 'f', args: [{ name: 'start_time', value: '-1m' }, { name: 'n', value: '1' }] }, displaySpec: { '@type': 'x' } }],
      }),
    );
    writeFileSync(path.join(dir, 'lone.pxl'), `import px\npx.display(px.DataFrame('http_events').head(2), 'two')\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads by px/ name, by directory and by .pxl file', () => {
    const a = loadBundle('px/mine', { scriptsDir: dir });
    assert.equal(a.name, 'px/mine');
    assert.equal(a.manifest.short, 'Mine');
    assert.equal(a.manifest.long, 'A longer text.');
    assert.equal(a.vis?.variables.length, 2);
    assert.equal(loadBundle(path.join(dir, 'mine')).name, 'mine');
    const lone = loadBundle(path.join(dir, 'lone.pxl'));
    assert.equal(lone.vis, undefined);
    assert.deepEqual(compileBundle(lone, { schemas: TABLES }).outputs.map((o) => o.name), ['two']);
  });

  it('lists bundles with descriptions', () => {
    assert.deepEqual(listBundles(dir), [{ name: 'px/mine', short: 'Mine', long: 'A longer text.' }]);
  });

  it('binds variable defaults, overridden by args, into global funcs and widget funcs', () => {
    const b = loadBundle('mine', { scriptsDir: dir });
    assert.deepEqual(bundleCalls(b, { n: '3' }), [
      { outputName: 'out', func: 'f', args: { start_time: '-5m', n: '3' } },
      { outputName: 'w', func: 'f', args: { start_time: '-1m', n: '1' } },
    ]);
    const c = compileBundle(b, { schemas: TABLES, args: { n: '3' } });
    const out = c.outputs.find((o) => o.name === 'out')!.plan;
    assert.equal(out.op === 'limit' && out.n, 3);
  });

  it('an unknown argument names the nearest variable', () => {
    const b = loadBundle('mine', { scriptsDir: dir });
    assert.throws(() => bundleCalls(b, { start_tim: '-1m' }), (e: unknown) => isPxlError(e, 'NIXIE_ERR_PXL_UNKNOWN_ARG') && /did you mean "start_time"/.test(e.message));
  });

  it('an unknown bundle names the nearest one', () => {
    assert.throws(() => loadBundle('px/mne', { scriptsDir: dir }), (e: unknown) => isPxlError(e, 'NIXIE_ERR_PXL_BUNDLE_NOT_FOUND') && /did you mean "px\/mine"/.test(e.message));
  });
});
