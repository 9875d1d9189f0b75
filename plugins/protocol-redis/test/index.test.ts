import assert from 'node:assert/strict';
import { createLogger, PluginHost } from '@nixie/core';
import plugin, { PLUGIN_NAME, redisDecoder } from '../src/index.js';

describe('@nixie/protocol-redis plugin', () => {
  it('registers the redis decoder for redis_events', async () => {
    const host = new PluginHost({ log: createLogger('silent') });
    host.register(plugin, {});
    await host.boot();
    assert.deepEqual(host.pluginNames(), [PLUGIN_NAME]);
    assert.equal(host.decoders.get('redis'), redisDecoder);
    assert.equal(redisDecoder.table.name, 'redis_events');
  });
});
