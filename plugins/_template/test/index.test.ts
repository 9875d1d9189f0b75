import assert from 'node:assert/strict';
import { createLogger, PluginHost } from '@nixie/core';
import plugin, { PLUGIN_NAME } from '../src/index.js';

describe('@nixie/_template', () => {
  it('registers with defaults filled from its options schema', async () => {
    const host = new PluginHost({ log: createLogger('silent') });
    const options: Record<string, unknown> = {};
    host.register(plugin, options);
    await host.boot();
    assert.deepEqual(host.pluginNames(), [PLUGIN_NAME]);
    assert.equal(host.pluginOptions<{ greeting: string }>(PLUGIN_NAME).greeting, 'hello');
  });

  it('rejects options that do not match its schema, naming the option', () => {
    const host = new PluginHost({ log: createLogger('silent') });
    assert.throws(() => host.register(plugin, { greeting: 3 }), /option greeting/);
  });
});
