import assert from 'node:assert/strict';
import { createLogger, PluginHost } from '@nixie/core';
import plugin, { PLUGIN_NAME, pgsqlDecoder } from '../src/index.js';

describe('@nixie/protocol-pgsql plugin', () => {
  it('registers the pgsql decoder for pgsql_events', async () => {
    const host = new PluginHost({ log: createLogger('silent') });
    host.register(plugin, {});
    await host.boot();
    assert.deepEqual(host.pluginNames(), [PLUGIN_NAME]);
    assert.equal(host.decoders.get('pgsql'), pgsqlDecoder);
    assert.equal(pgsqlDecoder.table.name, 'pgsql_events');
  });
});
