import type { Frame } from '@nixie/core';
import type { HeaderList } from './hpack.js';

/** gRPC messages are length-prefixed: 1 byte compressed flag + 4 bytes big-endian length. */
const GRPC_PREFIX_LEN = 5;
/** Message starts remembered per half-stream, so bodies can be shown message by message. */
const MAX_MESSAGE_MARKS = 64;

/**
 * One side of an HTTP/2 stream — a request or a response — from its first frame to END_STREAM or
 * RST_STREAM. This is the decoder's frame type: parseFrame returns one when a side completes.
 */
export interface HalfStream extends Frame {
  readonly streamId: number;
  /**
   * Capture time of its first HTTP/2 frame's first byte (from the agent's ParseContext; 0 if unknown). The
   * agent's startNs is that of the last frame only; stitch uses this one, so latency spans the whole side.
   */
  firstNs: number;
  /** The first header block (pseudo-headers first, as sent). */
  headers: HeaderList;
  /** A header block after DATA (gRPC status lives here). */
  trailers: HeaderList;
  /** Header fields that could not be decoded, plus 1 if the stream's opening HEADERS were not seen. */
  undecoded: number;
  headersSeen: boolean;
  /** Body bytes kept (gRPC: message bytes without their prefixes), at most the body limit. */
  body: Uint8Array;
  bodyLen: number;
  /** Full body size: DATA payload octets without padding. */
  bodySize: number;
  /** Whether the body is gRPC framed (content-type application/grpc*). */
  grpc: boolean;
  /** Offsets in `body` where gRPC messages start. */
  messageStarts: number[];
  /** RST_STREAM error code when the stream was reset by this side, else -1. */
  resetCode: number;
  // gRPC prefix parser: bytes of the current prefix still to read, and message bytes left.
  prefixLeft: number;
  prefixLen: number;
  messageLeft: number;
}

/** A fresh half-stream for `streamId`, begun by a frame captured at `firstNs` (0 if unknown). */
export function newHalfStream(streamId: number, firstNs = 0): HalfStream {
  return {
    startNs: 0,
    endNs: 0,
    streamId,
    firstNs,
    headers: [],
    trailers: [],
    undecoded: 0,
    headersSeen: false,
    body: EMPTY,
    bodyLen: 0,
    bodySize: 0,
    grpc: false,
    messageStarts: [],
    resetCode: -1,
    prefixLeft: GRPC_PREFIX_LEN,
    prefixLen: 0,
    messageLeft: 0,
  };
}

const EMPTY = new Uint8Array(0);

/** The value of the first header named `name` (lower case, as HTTP/2 requires), or undefined. */
export function headerValue(h: HeaderList, name: string): string | undefined {
  for (let i = 0; i < h.length; i += 2) if (h[i] === name) return h[i + 1];
  return undefined;
}

/** Appends DATA payload bytes buf[start, end) to the half-stream, keeping at most `limit` body bytes. */
export function appendData(hs: HalfStream, buf: Uint8Array, start: number, end: number, limit: number): void {
  hs.bodySize += end - start;
  if (!hs.grpc) {
    keep(hs, buf, start, end, limit);
    return;
  }
  let i = start;
  while (i < end) {
    if (hs.messageLeft === 0) {
      // Inside a 5-byte prefix: the last 4 bytes are the message length.
      const b = buf[i++]!;
      if (hs.prefixLeft < GRPC_PREFIX_LEN) hs.prefixLen = hs.prefixLen * 256 + b;
      hs.prefixLeft--;
      if (hs.prefixLeft === 0) {
        hs.messageLeft = hs.prefixLen;
        hs.prefixLeft = GRPC_PREFIX_LEN;
        hs.prefixLen = 0;
        if (hs.messageStarts.length < MAX_MESSAGE_MARKS && hs.bodyLen < limit) hs.messageStarts.push(hs.bodyLen);
      }
      continue;
    }
    const n = Math.min(hs.messageLeft, end - i);
    keep(hs, buf, i, i + n, limit);
    hs.messageLeft -= n;
    i += n;
  }
}

function keep(hs: HalfStream, buf: Uint8Array, start: number, end: number, limit: number): void {
  const n = Math.min(end - start, limit - hs.bodyLen);
  if (n <= 0) return;
  if (hs.body.length < hs.bodyLen + n) {
    const grown = new Uint8Array(Math.min(limit, Math.max(hs.bodyLen + n, hs.body.length * 2, 64)));
    grown.set(hs.body.subarray(0, hs.bodyLen));
    hs.body = grown;
  }
  hs.body.set(buf.subarray(start, start + n), hs.bodyLen);
  hs.bodyLen += n;
}
