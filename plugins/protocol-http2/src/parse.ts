import type { MessageType, ParseContext, ParseResult } from '@nixie/core';
import { Flag, FRAME_HEADER_LEN, FrameType, frameLength, frameStreamId, PREFACE, prefaceMatch, plausibleFrameHeader } from './frame.js';
import { appendData, headerValue, newHalfStream, type HalfStream } from './half-stream.js';
import type { HeaderList } from './hpack.js';
import { MAX_HEADER_BLOCK, MAX_OPEN_STREAMS, MAX_RESET_IDS, type DirectionState, type Http2State } from './state.js';

const NEEDS_MORE: ParseResult<HalfStream> = Object.freeze({ kind: 'needs-more-data' });
const INVALID: ParseResult<HalfStream> = Object.freeze({ kind: 'invalid' });
/** Frame types up to this are registered extensions (ALTSVC, ORIGIN, PRIORITY_UPDATE...): skipped, not invalid. */
const MAX_KNOWN_EXTENSION_TYPE = 0x10;

function ignored(consumed: number): ParseResult<HalfStream> {
  return { kind: 'ignored', consumed };
}

/**
 * Consumes one HTTP/2 frame (or the client preface) from the head of `buf`. Returns `success` with a
 * HalfStream when the frame ends one side of a stream (END_STREAM or RST_STREAM), `ignored` for
 * every other well-formed frame, `invalid` when the header cannot be an HTTP/2 frame.
 */
export function parseHttp2Frame(type: MessageType, buf: Uint8Array, state: Http2State, ctx?: ParseContext): ParseResult<HalfStream> {
  const d = state.dirs[type];
  d.frameStartNs = ctx ? ctx.startNs : 0;
  if (!d.prefaceDone) {
    const m = prefaceMatch(buf, 0);
    if (m === PREFACE.length) {
      d.prefaceDone = true;
      return ignored(PREFACE.length);
    }
    if (m > 0 && m === buf.length) return NEEDS_MORE;
    // No preface: the response direction, or a capture that began mid-connection.
    d.prefaceDone = true;
  }
  if (buf.length < FRAME_HEADER_LEN) return NEEDS_MORE;
  const len = frameLength(buf, 0);
  const ftype = buf[3]!;
  const flags = buf[4]!;
  const id = frameStreamId(buf, 0);
  if (!wellFormed(ftype, len, id)) return INVALID;
  if (buf.length < FRAME_HEADER_LEN + len) return NEEDS_MORE;
  const total = FRAME_HEADER_LEN + len;
  if (d.blockStream !== 0 && (ftype !== FrameType.CONTINUATION || id !== d.blockStream)) {
    // RFC 9113 §6.10: nothing may interleave a header block. We lost its end; forget it.
    abandonBlock(d);
  }
  switch (ftype) {
    case FrameType.DATA: {
      const body = payload(buf, flags, 0);
      if (!body) return INVALID;
      const hs = openStream(state, d, id);
      if (hs.bodySize === 0 && !hs.grpc && hs.undecoded + (hs.headersSeen ? 0 : 1) > 0) hs.grpc = looksGrpc(hs, buf, body.start, body.end);
      appendData(hs, buf, body.start, body.end, state.limits.bodyLimit);
      return flags & Flag.END_STREAM ? finish(d, hs, total) : ignored(total);
    }
    case FrameType.HEADERS: {
      const frag = payload(buf, flags, flags & Flag.PRIORITY ? 5 : 0);
      if (!frag) return INVALID;
      return headerFragment(state, d, id, flags, false, buf, frag.start, frag.end, total);
    }
    case FrameType.PUSH_PROMISE: {
      const frag = payload(buf, flags, 4);
      if (!frag) return INVALID;
      return headerFragment(state, d, id, flags, true, buf, frag.start, frag.end, total);
    }
    case FrameType.CONTINUATION: {
      if (d.blockStream !== id) return ignored(total);
      appendBlock(d, buf, FRAME_HEADER_LEN, total);
      if (!(flags & Flag.END_HEADERS)) return ignored(total);
      return completeBlock(state, d, d.block, 0, d.blockLen, total);
    }
    case FrameType.RST_STREAM: {
      const hs = d.open.get(id) ?? newHalfStream(id, d.frameStartNs);
      hs.resetCode = (buf[9]! << 24) | (buf[10]! << 16) | (buf[11]! << 8) | buf[12]!;
      hs.resetCode >>>= 0;
      // The other side of a reset stream will not end; stop tracking it, and ignore its late frames.
      state.dirs[type === 0 ? 1 : 0].open.delete(id);
      if (state.reset.has(id)) return ignored(total);
      if (state.reset.size >= MAX_RESET_IDS) state.reset.delete(state.reset.values().next().value as number);
      state.reset.add(id);
      return finish(d, hs, total);
    }
    default:
      // SETTINGS, PING, GOAWAY, WINDOW_UPDATE, PRIORITY and extensions carry nothing we record.
      return ignored(total);
  }
}

/** Structural checks that reject bytes that are not an HTTP/2 frame header. */
function wellFormed(ftype: number, len: number, id: number): boolean {
  switch (ftype) {
    case FrameType.SETTINGS:
      return id === 0 && len % 6 === 0;
    case FrameType.PING:
      return id === 0 && len === 8;
    case FrameType.GOAWAY:
      return id === 0 && len >= 8;
    case FrameType.WINDOW_UPDATE:
      return len === 4;
    case FrameType.RST_STREAM:
      return id !== 0 && len === 4;
    case FrameType.PRIORITY:
      return id !== 0 && len === 5;
    case FrameType.DATA:
    case FrameType.HEADERS:
    case FrameType.CONTINUATION:
    case FrameType.PUSH_PROMISE:
      return id !== 0;
    default:
      return ftype <= MAX_KNOWN_EXTENSION_TYPE && len <= 16384;
  }
}

/** The payload range after padding length and `skip` fixed bytes, without the padding; null if inconsistent. */
function payload(buf: Uint8Array, flags: number, skip: number): { start: number; end: number } | null {
  let start = FRAME_HEADER_LEN;
  let end = FRAME_HEADER_LEN + frameLength(buf, 0);
  if (flags & Flag.PADDED) {
    if (start >= end) return null;
    const pad = buf[start]!;
    start++;
    end -= pad;
  }
  start += skip;
  return start <= end ? { start, end } : null;
}

function openStream(state: Http2State, d: DirectionState, id: number, firstNs = d.frameStartNs): HalfStream {
  let hs = d.open.get(id);
  if (hs) return hs;
  // A late frame of a reset stream: decoded into a half-stream nobody keeps.
  if (state.reset.has(id)) return newHalfStream(id);
  if (d.open.size >= MAX_OPEN_STREAMS) {
    const oldest = d.open.keys().next().value as number;
    d.open.delete(oldest);
    state.evicted++;
  }
  hs = newHalfStream(id, firstNs);
  d.open.set(id, hs);
  return hs;
}

function finish(d: DirectionState, hs: HalfStream, consumed: number): ParseResult<HalfStream> {
  if (d.open.get(hs.streamId) !== hs && hs.resetCode < 0) return ignored(consumed);
  d.open.delete(hs.streamId);
  if (!hs.headersSeen) hs.undecoded++;
  return { kind: 'success', frame: hs, consumed };
}

function headerFragment(
  state: Http2State,
  d: DirectionState,
  id: number,
  flags: number,
  push: boolean,
  buf: Uint8Array,
  start: number,
  end: number,
  total: number,
): ParseResult<HalfStream> {
  d.blockStream = id;
  d.blockStartNs = d.frameStartNs;
  d.blockEndStream = (flags & Flag.END_STREAM) !== 0 && !push;
  d.blockIsPush = push;
  d.blockLen = 0;
  d.blockOverflow = false;
  if (flags & Flag.END_HEADERS) return completeBlock(state, d, buf, start, end, total);
  appendBlock(d, buf, start, end);
  return ignored(total);
}

function appendBlock(d: DirectionState, buf: Uint8Array, start: number, end: number): void {
  const n = end - start;
  if (d.blockOverflow || d.blockLen + n > MAX_HEADER_BLOCK) {
    d.blockOverflow = true;
    return;
  }
  if (d.block.length < d.blockLen + n) {
    const grown = new Uint8Array(Math.min(MAX_HEADER_BLOCK, Math.max(d.blockLen + n, d.block.length * 2, 1024)));
    grown.set(d.block.subarray(0, d.blockLen));
    d.block = grown;
  }
  d.block.set(buf.subarray(start, end), d.blockLen);
  d.blockLen += n;
}

/** Bytes of this direction were lost: a pending header block and the HPACK table can no longer be trusted. */
export function http2Gap(type: MessageType, state: Http2State): void {
  abandonBlock(state.dirs[type]);
}

function abandonBlock(d: DirectionState): void {
  d.blockStream = 0;
  d.blockLen = 0;
  d.blockOverflow = false;
  d.hpack.reset();
}

const discard: HeaderList = [];

/** Decodes a complete header block into its half-stream (headers first, then trailers). */
function completeBlock(state: Http2State, d: DirectionState, buf: Uint8Array, start: number, end: number, total: number): ParseResult<HalfStream> {
  const id = d.blockStream;
  const endStream = d.blockEndStream;
  d.blockStream = 0;
  d.blockLen = 0;
  if (d.blockOverflow) {
    d.blockOverflow = false;
    d.hpack.reset();
    const hs = d.blockIsPush ? undefined : openStream(state, d, id, d.blockStartNs);
    if (hs) {
      hs.headersSeen = true;
      hs.undecoded++;
    }
    return hs && endStream ? finish(d, hs, total) : ignored(total);
  }
  if (d.blockIsPush) {
    discard.length = 0;
    d.hpack.decode(buf, start, end, discard);
    discard.length = 0;
    return ignored(total);
  }
  const hs = openStream(state, d, id, d.blockStartNs);
  const informational = hs.headersSeen && isInformational(hs.headers);
  const out = hs.headersSeen && !informational ? hs.trailers : hs.headers;
  if (informational) hs.headers.length = 0;
  d.hpack.decode(buf, start, end, out);
  hs.undecoded += d.hpack.undecoded;
  if (!hs.headersSeen) {
    hs.headersSeen = true;
    const ct = headerValue(hs.headers, 'content-type');
    hs.grpc = ct !== undefined && ct.startsWith('application/grpc');
  }
  return endStream ? finish(d, hs, total) : ignored(total);
}

/**
 * Whether a body whose content-type we could not decode (capture began mid-connection) is gRPC framed:
 * a compressed flag of 0 or 1 and a message length that fits this DATA frame exactly or leaves room.
 */
function looksGrpc(hs: HalfStream, buf: Uint8Array, start: number, end: number): boolean {
  if (headerValue(hs.headers, 'content-type') !== undefined || end - start < 5 || buf[start]! > 1) return false;
  const len = ((buf[start + 1]! << 24) >>> 0) + ((buf[start + 2]! << 16) | (buf[start + 3]! << 8) | buf[start + 4]!);
  return len + 5 <= end - start || hs.headersSeen;
}

/** A 1xx response's headers are followed by the real ones (RFC 9113 §8.1). */
function isInformational(h: HeaderList): boolean {
  const s = headerValue(h, ':status');
  return s !== undefined && s.length === 3 && s[0] === '1';
}

/**
 * Where a frame (or the preface) plausibly starts at or after `from`: a plausible header whose
 * successor, when it is in the buffer, is plausible too. -1 if none.
 */
export function findHttp2Boundary(buf: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + FRAME_HEADER_LEN <= buf.length; i++) {
    if (buf[i] === 0x50 && prefaceMatch(buf, i) === PREFACE.length) return i;
    if (!plausibleFrameHeader(buf, i)) continue;
    const next = i + FRAME_HEADER_LEN + frameLength(buf, i);
    if (next + FRAME_HEADER_LEN > buf.length || plausibleFrameHeader(buf, next)) return i;
  }
  return -1;
}
