import type { NixiePlugin, PluginHost } from '@nixie/core';
import { mysqlDecoder } from './decoder.js';

export { mysqlDecoder } from './decoder.js';
export { MAX_STATEMENTS, type MysqlFrame, type MysqlState, type Statement } from './parse.js';
export { MAX_PENDING } from './stitch.js';
export { Command, FieldType, RespStatus, Marker } from './constants.js';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/protocol-mysql';

/** Registers the MySQL decoder; body limits come from the agent (createState(limits)). */
const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: { name: PLUGIN_NAME, core: '^0.1.0' },
  apply(host: PluginHost): void {
    host.hooks.registerDecoders.tap(PLUGIN_NAME, (registry) => registry.add(mysqlDecoder));
  },
};

export default plugin;
