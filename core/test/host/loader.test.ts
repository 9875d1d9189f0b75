import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PluginHost } from '../../src/host/host.js';
import { loadPlugins } from '../../src/host/loader.js';
import { createLogger } from '../../src/logger.js';
import { validateConfig } from '../../src/config/load.js';
import { isNixieError } from '../../src/errors.js';

/** Writes an ESM plugin package into <dataDir>/plugins/node_modules/<name>. */
function installFake(dataDir: string, name: string, body: string): void {
  const dir = path.join(dataDir, 'plugins', 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js' }));
  writeFileSync(path.join(dir, 'index.js'), body);
}

describe('loadPlugins', () => {
  it('loads configured plugins from the data directory with their options, dependencies first', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nixie-plugins-'));
    installFake(dataDir, 'nixie-plugin-b', `export default { name: 'b', manifest: { name: 'b', dependencies: ['a'] }, apply(h) { h.hooks.registerSources.tap('b', (r) => r.add({ name: 'from-b', tables: [], periodMs: 1, collect() {} })); } };`);
    installFake(dataDir, 'nixie-plugin-a', `export default { name: 'a', apply(h) { globalThis.__nixieSeenOptions = h.pluginOptions('a'); } };`);
    const config = validateConfig({
      data_dir: dataDir,
      plugins: { 'nixie-plugin-b': true, 'nixie-plugin-a': { level: 3 } },
    });
    const host = new PluginHost({ log: createLogger('silent') });
    const r = await loadPlugins(host, config, { builtins: false });
    assert.deepEqual(
      r.loaded.filter((n) => n === 'a' || n === 'b'),
      ['a', 'b'],
    );
    await host.boot();
    assert.equal(host.sources[0]!.name, 'from-b');
    assert.deepEqual((globalThis as { __nixieSeenOptions?: unknown }).__nixieSeenOptions, { level: 3 });
  });

  it('names a configured plugin that is not installed, and how to add it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nixie-plugins-'));
    const config = validateConfig({ data_dir: dataDir, plugins: { 'nixie-plugin-absent': true } });
    await assert.rejects(
      loadPlugins(new PluginHost({ log: createLogger('silent') }), config, { builtins: false }),
      (e: unknown) => isNixieError(e, 'NIXIE_ERR_PLUGIN_NOT_FOUND') && e.message.includes('nixie plugins add nixie-plugin-absent'),
    );
  });
});
