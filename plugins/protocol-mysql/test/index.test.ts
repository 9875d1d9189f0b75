import assert from 'node:assert/strict';
import { createLogger, PluginHost } from '@nixie/core';
import plugin, { PLUGIN_NAME, mysqlDecoder } from '../src/index.js';

describe('@nixie/protocol-mysql plugin', () => {
  it('registers the mysql decoder for mysql_events', async () => {
    const host = new PluginHost({ log: createLogger('silent') });
    host.register(plugin, {});
    await host.boot();
    assert.deepEqual(host.pluginNames(), [PLUGIN_NAME]);
    assert.equal(host.decoders.get('mysql'), mysqlDecoder);
    assert.equal(mysqlDecoder.table.name, 'mysql_events');
  });
});
