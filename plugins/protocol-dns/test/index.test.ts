import assert from 'node:assert/strict';
import { createLogger, DNS_EVENTS, PluginHost } from '@nixie/core';
import plugin, { PLUGIN_NAME } from '../src/index.js';

describe('@nixie/protocol-dns plugin', () => {
  it('registers the dns decoder for dns_events, for UDP and TCP', async () => {
    const host = new PluginHost({ log: createLogger('silent') });
    host.register(plugin, {});
    await host.boot();
    assert.deepEqual(host.pluginNames(), [PLUGIN_NAME]);
    const d = host.decoders.get('dns');
    assert.equal(d?.table, DNS_EVENTS);
    assert.equal(d?.transport, 'both');
  });
});
