import type { NixiePlugin, PluginHost } from '@nixie/core';
import { redisDecoder } from './decoder.js';

export { redisDecoder, MAX_PENDING, type RedisFrame, type RedisState } from './decoder.js';
export { CONTAINER_COMMANDS, SUBSCRIBE_COMMANDS, MESSAGE_KINDS, PUSH_PUB_CMD } from './commands.js';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/protocol-redis';

/** Registers the Redis decoder; body limits come from the agent (createState(limits)). */
const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: { name: PLUGIN_NAME, core: '^0.1.0' },
  apply(host: PluginHost): void {
    host.hooks.registerDecoders.tap(PLUGIN_NAME, (registry) => registry.add(redisDecoder));
  },
};

export default plugin;
