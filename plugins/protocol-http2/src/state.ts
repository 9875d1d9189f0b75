import { HpackDecoder } from './hpack.js';
import type { HalfStream } from './half-stream.js';

/** Most open half-streams tracked per direction; the oldest is dropped beyond it. */
export const MAX_OPEN_STREAMS = 1024;
/** Largest header block (all CONTINUATIONs together) assembled; larger ones are skipped as undecoded. */
export const MAX_HEADER_BLOCK = 256 * 1024;

/** What one direction of a connection needs between frames. */
export interface DirectionState {
  /** The peer's HPACK encoder context as seen by this direction's receiver. */
  readonly hpack: HpackDecoder;
  /** Half-streams begun but not ended, by stream id (insertion order = age). */
  readonly open: Map<number, HalfStream>;
  /** Stream id whose header block continues in CONTINUATION frames, or 0. */
  blockStream: number;
  /** The block's flags: END_STREAM on its HEADERS, and whether it is a PUSH_PROMISE (decoded, then dropped). */
  blockEndStream: boolean;
  blockIsPush: boolean;
  /** The block so far (only while CONTINUATIONs are pending). */
  block: Uint8Array;
  blockLen: number;
  /** Whether the block grew past MAX_HEADER_BLOCK (then it is skipped and the table reset). */
  blockOverflow: boolean;
  /** The client preface was passed (request direction) or is not expected. */
  prefaceDone: boolean;
  /** Capture time of the HTTP/2 frame being parsed (the agent's ParseContext), 0 if unknown. */
  frameStartNs: number;
  /** Capture time of the HEADERS frame that began the pending header block. */
  blockStartNs: number;
}

/** Capture limits for one connection. */
export interface Http2Limits {
  /** Body bytes kept per half-stream. */
  readonly bodyLimit: number;
  /** Bytes of headers JSON per request or response. */
  readonly headersLimit: number;
}

/** Per-connection state of the HTTP/2 decoder: one DirectionState per message type. */
export interface Http2State {
  readonly dirs: readonly [DirectionState, DirectionState];
  readonly limits: Http2Limits;
  /** Half-streams dropped because too many were open at once (cumulative). */
  evicted: number;
  /** Newest frame end time seen by stitch, to age out unmatched responses. */
  newestNs: number;
  /** Recently reset stream ids: later frames of theirs (either side) are decoded, then dropped. */
  readonly reset: Set<number>;
}

/** Reset stream ids remembered per connection. */
export const MAX_RESET_IDS = 256;

function direction(): DirectionState {
  return {
    hpack: new HpackDecoder(),
    open: new Map(),
    blockStream: 0,
    blockEndStream: false,
    blockIsPush: false,
    block: new Uint8Array(0),
    blockLen: 0,
    blockOverflow: false,
    prefaceDone: false,
    frameStartNs: 0,
    blockStartNs: 0,
  };
}

/** Fresh per-connection state. */
export function createHttp2State(limits: Http2Limits = { bodyLimit: 512, headersLimit: 8192 }): Http2State {
  return { dirs: [direction(), direction()], limits, evicted: 0, newestNs: 0, reset: new Set() };
}
