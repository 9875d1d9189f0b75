import type { NixiePlugin, PluginHost } from '@nixie/core';
import { dnsDecoder } from './decoder.js';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/protocol-dns';

/** Registers the DNS decoder (UDP and TCP) for dns_events. */
const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: { name: PLUGIN_NAME, core: '^0.1.0' },
  apply(host: PluginHost): void {
    host.hooks.registerDecoders.tap(PLUGIN_NAME, (registry) => registry.add(dnsDecoder));
  },
};

export default plugin;
export { dnsDecoder, dnsFrame, type DnsFrame, type DnsState } from './decoder.js';
export { parseMessage, typeName, type DnsMessage, type DnsHeader, type DnsQuery, type DnsAnswer } from './message.js';
export { stitchDns } from './stitch.js';
