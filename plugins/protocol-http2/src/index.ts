import type { NixiePlugin, PluginHost } from '@nixie/core';
import { createHttp2Decoder } from './decoder.js';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/protocol-http2';

/** Options this plugin reads from `plugins: { '@nixie/protocol-http2': {...} }`; unset ones follow agent config. */
export interface Http2PluginOptions {
  body_limit_bytes?: number;
  headers_limit_bytes?: number;
}

const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: {
    name: PLUGIN_NAME,
    core: '^0.1.0',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        body_limit_bytes: { type: 'integer', minimum: 0, description: 'Overrides agent.body_limit_bytes for HTTP/2' },
        headers_limit_bytes: { type: 'integer', minimum: 0, description: 'Overrides agent.headers_limit_bytes for HTTP/2' },
      },
    },
  },
  apply(host: PluginHost): void {
    const opts = host.pluginOptions<Http2PluginOptions>(PLUGIN_NAME);
    host.hooks.registerDecoders.tap(PLUGIN_NAME, (registry) => {
      registry.add(createHttp2Decoder({ bodyLimit: opts.body_limit_bytes, headersLimit: opts.headers_limit_bytes }));
    });
  },
};

export default plugin;
export { createHttp2Decoder, type Http2DecoderOptions } from './decoder.js';
export { HpackDecoder, UNDECODED_HEADER, type HeaderList } from './hpack.js';
export { TRUNCATED_HEADER } from './headers-json.js';
export type { HalfStream } from './half-stream.js';
export type { Http2State, Http2Limits } from './state.js';
