import assert from 'node:assert/strict';
import { PluginHost } from '../../src/host/host.js';
import { createLogger } from '../../src/logger.js';
import { isNixieError } from '../../src/errors.js';
import { TableStore } from '../../src/store/store.js';
import { InMemoryExporter } from '../../src/host/exporters.js';
import { dependencyOrder } from '../../src/host/loader.js';
import type { NixiePlugin } from '../../src/host/plugin.js';
import type { RowBatch } from '../../src/column.js';

const quiet = () => new PluginHost({ log: createLogger('silent') });

describe('PluginHost', () => {
  it('keeps running other plugins when one throws on every record, and counts the failures', () => {
    const host = quiet();
    const seen: number[] = [];
    host.register({
      name: 'bad',
      apply: (h) =>
        h.hooks.onRecords.tap('bad', () => {
          throw new Error('boom');
        }),
    });
    host.register({ name: 'good', apply: (h) => h.hooks.onRecords.tap('good', (e) => void seen.push(e.batch.length)) });
    const store = new TableStore({ budgetBytes: 16 << 20 });
    for (let i = 0; i < 3; i++) {
      store.table('http_events').appendRow({ time_: i });
      store.publish((table, batch) => host.hooks.onRecords.call({ table, batch }));
    }
    assert.deepEqual(seen, [1, 1, 1]);
    const faults = host.pluginFaults();
    assert.equal(faults.length, 1);
    assert.equal(faults[0]!.plugin, 'bad');
    assert.equal(faults[0]!.hook, 'onRecords');
    assert.equal(faults[0]!.count, 3);
    assert.equal(host.pluginErrorCount(), 3);
  });

  it('isolates per-protocol waterfall taps, passing records through a failing one', () => {
    const host = quiet();
    host.register({
      name: 'bad',
      apply: (h) =>
        h.hooks.processRecords.for('http').tap('bad', () => {
          throw new Error('nope');
        }),
    });
    host.register({ name: 'tagger', apply: (h) => h.hooks.processRecords.for('http').tap('tagger', (rs) => rs.map((r) => ({ ...r, tagged: true }))) });
    const out = host.hooks.processRecords.for('http').call([{ a: 1 }]);
    assert.deepEqual(out, [{ a: 1, tagged: true }]);
    assert.equal(host.pluginFaults()[0]!.hook, 'processRecords[http]');
  });

  it('rejects a plugin without a name or apply', () => {
    const host = quiet();
    assert.throws(() => host.register({ name: '', apply: () => {} }), (e: unknown) => isNixieError(e, 'NIXIE_ERR_PLUGIN_INVALID'));
    assert.throws(() => host.register({ name: 'x' } as unknown as NixiePlugin), (e: unknown) => isNixieError(e, 'NIXIE_ERR_PLUGIN_INVALID'));
  });

  it('checks the manifest: core range, dependencies, duplicates', () => {
    const host = quiet();
    assert.throws(
      () => host.register({ name: 'old', manifest: { name: 'old', core: '^9.0.0' }, apply: () => {} }),
      (e: unknown) => isNixieError(e, 'NIXIE_ERR_PLUGIN_CORE_VERSION'),
    );
    assert.throws(
      () => host.register({ name: 'needy', manifest: { name: 'needy', dependencies: ['base'] }, apply: () => {} }),
      (e: unknown) => isNixieError(e, 'NIXIE_ERR_PLUGIN_DEPENDENCY') && e.message.includes('base'),
    );
    host.register({ name: 'base', apply: () => {} });
    host.register({ name: 'needy', manifest: { name: 'needy', dependencies: ['base'] }, apply: () => {} });
    assert.throws(() => host.register({ name: 'base', apply: () => {} }), (e: unknown) => isNixieError(e, 'NIXIE_ERR_PLUGIN_DUPLICATE'));
  });

  it('orders plugins so that dependencies come first', () => {
    const a: NixiePlugin = { name: 'a', manifest: { name: 'a', dependencies: ['b'] }, apply: () => {} };
    const b: NixiePlugin = { name: 'b', apply: () => {} };
    assert.deepEqual(
      dependencyOrder([a, b]).map((p) => p.name),
      ['b', 'a'],
    );
  });

  it('collects decoders, sources, exporters and tables at boot', async () => {
    const host = quiet();
    const exporter = new InMemoryExporter();
    host.register({
      name: 'everything',
      apply: (h) => {
        h.hooks.registerExporters.tap('everything', (r) => r.add(exporter));
        h.hooks.registerSources.tap('everything', (r) => r.add({ name: 's', tables: [], periodMs: 1000, collect: () => {} }));
        h.hooks.registerTables.tap('everything', (r) => r.add({ name: 'custom', columns: [{ name: 'time_', type: 'TIME64NS' }] }));
      },
    });
    await host.boot();
    assert.equal(host.exporters[0], exporter);
    assert.equal(host.sources[0]!.name, 's');
    assert.equal(host.tables[0]!.name, 'custom');
    const batch: RowBatch = { schema: host.tables[0]!, length: 1, columns: [{ type: 'TIME64NS', values: new Float64Array([7]) }] };
    exporter.export('custom', batch);
    assert.deepEqual(exporter.rows, [{ table: 'custom', row: { time_: 7 } }]);
  });

  it('turns a throw inside apply into a coded boot error naming the plugin', () => {
    const host = quiet();
    assert.throws(
      () =>
        host.register({
          name: 'crashy',
          apply: () => {
            throw new Error('bad wiring');
          },
        }),
      (e: unknown) => isNixieError(e, 'NIXIE_ERR_PLUGIN_APPLY') && e.message.includes('crashy') && e.message.includes('bad wiring'),
    );
  });
});
