import assert from 'node:assert/strict';
import { createLogger, HTTP_EVENTS, PluginHost } from '@nixie/core';
import plugin, { PLUGIN_NAME } from '../src/index.js';

describe('@nixie/protocol-http2 plugin', () => {
  it('registers the http2 decoder for http_events', async () => {
    const host = new PluginHost({ log: createLogger('silent') });
    host.register(plugin, {});
    await host.boot();
    assert.deepEqual(host.pluginNames(), [PLUGIN_NAME]);
    const d = host.decoders.get('http2');
    assert.ok(d);
    assert.equal(d.table, HTTP_EVENTS);
  });

  it('rejects an option of the wrong type, naming it', () => {
    const host = new PluginHost({ log: createLogger('silent') });
    assert.throws(() => host.register(plugin, { body_limit_bytes: 'big' }), /body_limit_bytes/);
  });
});
