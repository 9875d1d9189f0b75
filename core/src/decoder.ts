import type { ProtocolName } from './protocols.js';
import type { TableSchema } from './types.js';

/** Which side of the exchange a frame belongs to. */
export const MessageType = Object.freeze({ REQUEST: 0, RESPONSE: 1 } as const);
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/**
 * Fields every frame carries. Decoders create frames with both set to 0; the agent's stream fills
 * them from the capture time of the frame's first and last byte.
 */
export interface Frame {
  startNs: number;
  endNs: number;
}

/**
 * What the agent knows about the bytes it hands to parseFrame (optional 4th argument; the agent reuses one
 * object per stream, so read it during the call). A decoder whose frame spans several calls (HTTP/2's
 * half-stream) keeps the first call's startNs, since the agent's startNs is that of the frame's last call.
 */
export interface ParseContext {
  /** Capture time (epoch ns) of buf[0]; 0 when unknown. */
  startNs: number;
  /**
   * Where buf[0] lies in the byte heap (@nixie/core byteHeap()), or -1 when buf is not in it: a WebAssembly
   * decoder that imports the heap's memory reads the bytes there, with no copy (and no `buf.buffer` check).
   */
  heapOffset?: number;
}

/**
 * What parseFrame found at the head of the buffer. The agent reads it before it calls parseFrame again, so a
 * decoder may hand out one result object, refilled per call (no allocation per frame).
 */
export type ParseResult<F extends Frame> =
  /** A whole frame, `consumed` bytes long. */
  | { readonly kind: 'success'; readonly frame: F; readonly consumed: number }
  /** The buffer holds the start of a frame but not all of it. */
  | { readonly kind: 'needs-more-data' }
  /** The bytes are not a frame of this protocol; the agent resyncs with findFrameBoundary. */
  | { readonly kind: 'invalid' }
  /** A well-formed frame that produces no record (e.g. a startup message); skip `consumed` bytes. */
  | { readonly kind: 'ignored'; readonly consumed: number }
  /** The protocol ended on this connection (e.g. HTTP Upgrade); stop decoding it. */
  | { readonly kind: 'eos' };

/** A row for the decoder's table, keyed by column name, without the socket columns the agent adds. STRING columns take UTF-8 bytes (Uint8Array) as well as strings: bytes are copied as they are, the cheaper path for bodies. */
export type DecodedRecord = Record<string, string | number | boolean | Uint8Array>;

/**
 * Where a decoder's stitchInto writes rows: straight into the table's columns, with no record object and no
 * string per value. Columns are indices in the decoder's table schema; a column not set is 0 / '' / false.
 * The agent sets the socket columns (upid, addresses, ports, trace_role, encrypted) itself.
 */
export interface RowWriter {
  num(col: number, v: number): void;
  /** A STRING column from a JS string. */
  str(col: number, s: string): void;
  /**
   * A STRING column from UTF-8 bytes src[from..to), copied. srcHeapOffset, if the caller knows it: where src[0]
   * lies in the byte heap (byteHeap().offsetOf(src), -1 when not in it); the copy is then one memory.copy.
   */
  bytes(col: number, src: Uint8Array, from: number, to: number, srcHeapOffset?: number): void;
  /**
   * Optional, for values that lie side by side in one source (a frame's text): what bytes(c0, src, a, b),
   * bytes(c1, src, b, c) and bytes(c2, src, c, d) write, in one call (three columns, one source checked once).
   */
  bytes3?(c0: number, c1: number, c2: number, src: Uint8Array, a: number, b: number, c: number, d: number, srcHeapOffset?: number): void;
  /** Ends the row being written and appends it. */
  commit(): void;
}

/** What stitchInto did. */
export interface StitchCounts {
  /** Rows committed. */
  readonly rows: number;
  /** Frames dropped as unmatched or malformed. */
  readonly errors: number;
}

export interface StitchResult {
  /** One row per matched request/response; each must set `time_` and `latency`. */
  readonly records: DecodedRecord[];
  /** Frames dropped as unmatched or malformed. */
  readonly errors: number;
}

/** Capture limits from the agent config (agent.body_limit_bytes, agent.headers_limit_bytes), given to createState. */
export interface DecoderLimits {
  /** Bodies (and other payload text) are cut at this many bytes. */
  readonly bodyLimitBytes: number;
  /** Header text (e.g. headers as JSON) is cut at this many bytes. */
  readonly headersLimitBytes: number;
}

/** Pixie's defaults: bodies cut at 512 bytes, headers at 8 KiB. */
export const DEFAULT_DECODER_LIMITS: DecoderLimits = Object.freeze({ bodyLimitBytes: 512, headersLimitBytes: 8192 });

/**
 * A protocol decoder: pure functions over bytes. Never throws on bad bytes; returns `invalid`.
 * State is per connection (e.g. HPACK tables, prepared statements).
 */
export interface Decoder<F extends Frame = Frame, S = unknown> {
  readonly protocol: ProtocolName;
  /** The table its records go to. */
  readonly table: TableSchema;
  /**
   * 'datagram': parseFrame is called with exactly one datagram (DNS over UDP). Default 'stream'.
   * 'both': the agent picks per socket — datagram for UDP, stream for TCP — and passes it to createState.
   */
  readonly transport?: 'stream' | 'datagram' | 'both';
  /**
   * Responses may come with no request (server pushes: Redis pub/sub messages). The agent then calls
   * stitch whenever responses are pending, not only when both sides are.
   */
  readonly unsolicited?: boolean;
  /**
   * Per-connection state; `limits` are the agent's capture limits (defaults when omitted); `transport` is
   * the socket's framing ('datagram' for UDP), given when the decoder declares transport 'both'.
   */
  createState(limits?: DecoderLimits, transport?: 'stream' | 'datagram'): S;
  /** Offset >= from where a frame of this type plausibly starts, or -1. */
  findFrameBoundary(type: MessageType, buf: Uint8Array, from: number): number;
  parseFrame(type: MessageType, buf: Uint8Array, state: S, ctx?: ParseContext): ParseResult<F>;
  /**
   * Optional, for decoders that read the byte heap themselves (WebAssembly): parseFrame over the bytes at
   * [heapOffset, heapOffset + length) of the byte heap (@nixie/core byteHeap()), with no view of them made per
   * call. The agent calls it instead of parseFrame when a stream's bytes are in the heap; ctx.heapOffset is
   * heapOffset. Same results and rules as parseFrame.
   */
  parseFrameInHeap?(type: MessageType, heapOffset: number, length: number, state: S, ctx: ParseContext): ParseResult<F>;
  /**
   * Optional: bytes of this direction were lost (a gap skipped, a buffer overflow, a resync after
   * `invalid`). Lets a decoder drop state that depended on them (e.g. HPACK dynamic tables).
   */
  onGap?(type: MessageType, state: S): void;
  /**
   * Optional: the connection is gone and `state` is not used again, nor are its frames. A decoder whose state
   * holds byte heap blocks (text arenas) gives them back here, at once, rather than when the state is
   * garbage collected: connections that come and go would otherwise hold the heap's memory until a full GC.
   */
  releaseState?(state: S): void;
  /**
   * Pairs requests with responses, both oldest first. Consumed frames are removed from the arrays;
   * what remains is carried to the next call. A consumed frame is the decoder's again (it may reuse it for a
   * later message): callers do not keep it.
   */
  stitch(requests: F[], responses: F[], state: S): StitchResult;
  /**
   * Optional fast path with stitch's semantics: rows go to `out` instead of record objects. The agent uses it
   * when no plugin taps processRecords for this protocol (taps need records), and stitch otherwise.
   */
  stitchInto?(requests: F[], responses: F[], state: S, out: RowWriter): StitchCounts;
}
