import type { NixiePlugin, PluginHost } from '@nixie/core';
import { pgsqlDecoder } from './decoder.js';

export { pgsqlDecoder } from './decoder.js';
export { MAX_STATEMENTS, type PgFrame, type PgState } from './parse.js';
export { MAX_PENDING, PgCommand } from './stitch.js';
export { Frontend, Backend, StartupCode } from './messages.js';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/protocol-pgsql';

/** Registers the PostgreSQL decoder; body limits come from the agent (createState(limits)). */
const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: { name: PLUGIN_NAME, core: '^0.1.0' },
  apply(host: PluginHost): void {
    host.hooks.registerDecoders.tap(PLUGIN_NAME, (registry) => registry.add(pgsqlDecoder));
  },
};

export default plugin;
