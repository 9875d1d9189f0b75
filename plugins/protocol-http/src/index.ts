import type { NixiePlugin, PluginHost } from '@nixie/core';
import { httpDecoder } from './decoder.js';
import { wasmParser, wasmUnavailable } from './wasm.js';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/protocol-http';

/** Registers the HTTP/1.x decoder; body and header limits come from agent config through createState. */
const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: { name: PLUGIN_NAME, core: '^0.1.0' },
  apply(host: PluginHost): void {
    host.hooks.registerDecoders.tap(PLUGIN_NAME, (registry) => registry.add(httpDecoder));
    // Every message then takes the JS parser, ~3x slower per byte: say so once, with the way to the fast one.
    if (!wasmParser) {
      const fix = wasmUnavailable.startsWith('NIXIE_HTTP_WASM') ? '' : '; npm run build with clang and lld builds it';
      host.log.warn(`HTTP/1 WebAssembly parser not in use (${wasmUnavailable}): the JS parser decodes every message${fix}`);
    }
  },
};

export default plugin;
export { httpDecoder, findHttpBoundary } from './decoder.js';
export { parseMessage, parseMessageJs } from './parse.js';
export { wasmParser, wasmUnavailable } from './wasm.js';
export { stitchHttp, stitchHttpInto, toRecord } from './stitch.js';
export { headersJson, TRUNCATED_KEY } from './headers.js';
export { HttpMessage } from './types.js';
export type { HttpState } from './types.js';
