import { DEFAULT_DECODER_LIMITS, HTTP_EVENTS, type Decoder, type DecoderLimits, type MessageType } from '@nixie/core';
import type { HalfStream } from './half-stream.js';
import { findHttp2Boundary, http2Gap, parseHttp2Frame } from './parse.js';
import { createHttp2State, type Http2State } from './state.js';
import { stitchHttp2 } from './stitch.js';

/** Overrides of the agent's capture limits (plugin options); unset ones follow agent config. */
export interface Http2DecoderOptions {
  /** Body bytes kept per request and per response (Pixie: 512). */
  bodyLimit?: number;
  /** Bytes of headers JSON kept per request and per response (Pixie: 8 KiB). */
  headersLimit?: number;
}

/**
 * The HTTP/2 + gRPC decoder. Its frame is a half-stream: parseFrame consumes one HTTP/2 frame at a
 * time and returns `ignored` until a frame ends one side of a stream (END_STREAM, or RST_STREAM),
 * then `success` with that side's headers, trailers and body. Frames of many streams interleave on a
 * connection, so the per-connection state keeps the open half-streams by id, and stitch pairs
 * requests with responses by stream id. HPACK state is per direction in the connection state.
 */
export function createHttp2Decoder(opts: Http2DecoderOptions = {}): Decoder<HalfStream, Http2State> {
  return {
    protocol: 'http2',
    table: HTTP_EVENTS,
    transport: 'stream',
    createState: (limits: DecoderLimits = DEFAULT_DECODER_LIMITS) =>
      createHttp2State({ bodyLimit: opts.bodyLimit ?? limits.bodyLimitBytes, headersLimit: opts.headersLimit ?? limits.headersLimitBytes }),
    findFrameBoundary: (_type: MessageType, buf: Uint8Array, from: number) => findHttp2Boundary(buf, from),
    parseFrame: parseHttp2Frame,
    onGap: http2Gap,
    stitch: stitchHttp2,
  };
}
