import { decodeText, type TextSink } from '@nixie/core';

/** RESP type bytes (RESP2 and RESP3). */
export const RespType = Object.freeze({
  SIMPLE_STRING: 0x2b, // '+' status reply
  ERROR: 0x2d, // '-' error reply
  INTEGER: 0x3a, // ':' signed 64-bit integer
  BULK_STRING: 0x24, // '$' length-prefixed bytes; $-1 is RESP2's null
  ARRAY: 0x2a, // '*' aggregate; *-1 is RESP2's null array
  NULL: 0x5f, // '_' RESP3 null
  BOOLEAN: 0x23, // '#' RESP3 t/f
  DOUBLE: 0x2c, // ',' RESP3 double (also inf, -inf, nan)
  BIG_NUMBER: 0x28, // '(' RESP3 arbitrary-precision integer
  BLOB_ERROR: 0x21, // '!' RESP3 length-prefixed error
  VERBATIM_STRING: 0x3d, // '=' RESP3 string with a 3-letter format prefix ("txt:")
  MAP: 0x25, // '%' RESP3 key/value pairs
  SET: 0x7e, // '~' RESP3 unordered collection
  PUSH: 0x3e, // '>' RESP3 out-of-band data (pub/sub, client tracking)
  ATTRIBUTE: 0x7c, // '|' RESP3 metadata map that precedes the real reply
} as const);

/** scan() results below zero. */
export const NEED_MORE = -1;
export const INVALID = -2;

const CR = 0x0d;
const LF = 0x0a;
/** Longest header or simple-string line we accept before calling the bytes invalid. */
export const MAX_LINE = 64 * 1024;
/** Deepest nesting we accept; deeper input is treated as invalid rather than recursing further. */
export const MAX_DEPTH = 32;
/** Largest aggregate count or bulk length we accept (Redis's own proto-max-bulk-len is 512 MB). */
const MAX_COUNT = 512 * 1024 * 1024;

/** Whether b is a byte that starts a RESP value. */
export function isRespType(b: number): boolean {
  switch (b) {
    case 0x2b: case 0x2d: case 0x3a: case 0x24: case 0x2a: case 0x5f: case 0x23: case 0x2c:
    case 0x28: case 0x21: case 0x3d: case 0x25: case 0x7e: case 0x3e: case 0x7c:
      return true;
    default:
      return false;
  }
}

/** Index of the CR that ends the line starting at pos, or NEED_MORE / INVALID. */
export function lineEnd(buf: Uint8Array, pos: number): number {
  const stop = Math.min(buf.length, pos + MAX_LINE);
  for (let i = pos; i < stop; i++) {
    const b = buf[i];
    if (b === CR) {
      if (i + 1 >= buf.length) return NEED_MORE;
      return buf[i + 1] === LF ? i : INVALID;
    }
    if (b === LF) return INVALID;
  }
  return stop === buf.length ? NEED_MORE : INVALID;
}

/** Signed decimal integer in buf[start, end), or NaN (also for more than 15 digits). */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
  } else if (buf[i] === 0x2b) {
    i++;
  }
  if (i >= end || end - i > 15) return NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

/** Where a scan of one value ended, and facts about the top-level value that stitching needs. */
export interface ScanInfo {
  /** The top-level type byte. */
  type: number;
  /** First element of a top-level array or push when it is a string (pub/sub kind), else ''. */
  firstWord: string;
  /** Last element of a top-level array or push when it is an integer (subscription count), else NaN. */
  lastInt: number;
  /** Elements of a top-level aggregate. */
  count: number;
}

/**
 * Scans one RESP value at pos, rendering it into sink (null: only skip it).
 * Returns the offset after the value, NEED_MORE or INVALID. Never throws.
 */
export function scanValue(buf: Uint8Array, pos: number, depth: number, sink: TextSink | null, info: ScanInfo | null): number {
  if (pos >= buf.length) return NEED_MORE;
  if (depth > MAX_DEPTH) return INVALID;
  const type = buf[pos]!;
  if (info) {
    info.type = type;
    info.firstWord = '';
    info.lastInt = NaN;
    info.count = 0;
  }
  const eol = lineEnd(buf, pos + 1);
  if (eol < 0) return eol;
  const next = eol + 2;
  const quoted = depth > 0;
  switch (type) {
    case RespType.SIMPLE_STRING:
    case RespType.DOUBLE:
    case RespType.BIG_NUMBER:
      if (sink) addString(sink, buf, pos + 1, eol, quoted && type === RespType.SIMPLE_STRING);
      return next;
    case RespType.ERROR:
      if (sink) {
        sink.add(quoted ? '"-' : '-');
        addString(sink, buf, pos + 1, eol, false);
        if (quoted) sink.add('"');
      }
      return next;
    case RespType.INTEGER: {
      const n = parseDecimal(buf, pos + 1, eol);
      if (Number.isNaN(n) && eol - pos - 1 <= 15) return INVALID;
      if (sink) addString(sink, buf, pos + 1, eol, false);
      return next;
    }
    case RespType.NULL:
      if (eol !== pos + 1) return INVALID;
      sink?.add('<NULL>');
      return next;
    case RespType.BOOLEAN: {
      const b = buf[pos + 1];
      if (eol !== pos + 2 || (b !== 0x74 && b !== 0x66)) return INVALID;
      sink?.add(b === 0x74 ? 'true' : 'false');
      return next;
    }
    case RespType.BULK_STRING:
    case RespType.BLOB_ERROR:
    case RespType.VERBATIM_STRING: {
      const len = parseDecimal(buf, pos + 1, eol);
      if (len === -1 && type === RespType.BULK_STRING) {
        sink?.add('<NULL>');
        return next;
      }
      if (!(len >= 0) || len > MAX_COUNT) return INVALID;
      const end = next + len;
      if (end + 2 > buf.length) return NEED_MORE;
      if (buf[end] !== CR || buf[end + 1] !== LF) return INVALID;
      if (sink) {
        let start = next;
        if (type === RespType.VERBATIM_STRING) {
          // "txt:" or "mkd:" names the format; a reader wants the text itself.
          if (len < 4 || buf[next + 3] !== 0x3a) return INVALID;
          start += 4;
        }
        if (type === RespType.BLOB_ERROR) sink.add(quoted ? '"-' : '-');
        addString(sink, buf, start, end, quoted && type !== RespType.BLOB_ERROR);
        if (type === RespType.BLOB_ERROR && quoted) sink.add('"');
      }
      return end + 2;
    }
    case RespType.ARRAY:
    case RespType.SET:
    case RespType.PUSH:
    case RespType.MAP:
    case RespType.ATTRIBUTE:
      return scanAggregate(buf, pos, eol, depth, sink, info);
    default:
      return INVALID;
  }
}

function scanAggregate(buf: Uint8Array, pos: number, eol: number, depth: number, sink: TextSink | null, info: ScanInfo | null): number {
  const type = buf[pos]!;
  const n = parseDecimal(buf, pos + 1, eol);
  if (n === -1 && type === RespType.ARRAY) {
    sink?.add('<NULL>');
    return eol + 2;
  }
  if (!(n >= 0) || n > MAX_COUNT) return INVALID;
  const isMap = type === RespType.MAP || type === RespType.ATTRIBUTE;
  const elems = isMap ? n * 2 : n;
  if (info) info.count = n;
  let p = eol + 2;
  if (type === RespType.ATTRIBUTE) {
    // Attributes are metadata about the reply that follows; readers want the reply, so we skip them.
    for (let i = 0; i < elems; i++) {
      p = scanValue(buf, p, depth + 1, null, null);
      if (p < 0) return p;
    }
    return scanValue(buf, p, depth, sink, info);
  }
  sink?.add(isMap ? '{' : '[');
  for (let i = 0; i < elems; i++) {
    if (sink && i > 0) sink.add(isMap && i % 2 === 1 ? ': ' : ', ');
    const s = sink && sink.room() > 0 ? sink : null;
    const start = p;
    p = scanValue(buf, p, depth + 1, s, null);
    if (p < 0) return p;
    if (info && !isMap) {
      if (i === 0 && (buf[start] === RespType.BULK_STRING || buf[start] === RespType.SIMPLE_STRING)) {
        info.firstWord = firstWordOf(buf, start, p);
      }
      if (i === n - 1 && buf[start] === RespType.INTEGER) info.lastInt = parseDecimal(buf, start + 1, p - 2);
    }
  }
  sink?.add(isMap ? '}' : ']');
  return p;
}

/** Lower-cased text of a short string value spanning buf[start, end) (its header included). */
function firstWordOf(buf: Uint8Array, start: number, end: number): string {
  let s = start + 1;
  if (buf[start] === RespType.BULK_STRING) {
    while (s < end && buf[s] !== CR) s++;
    s += 2;
  }
  const e = end - 2;
  if (e - s > 16 || e < s) return '';
  return decodeText(buf, s, e, 16).toLowerCase();
}

function addString(sink: TextSink, buf: Uint8Array, start: number, end: number, quoted: boolean): void {
  const room = sink.room();
  if (room <= 0) {
    sink.add('x');
    return;
  }
  const s = decodeText(buf, start, end, room + 1);
  sink.add(quoted ? JSON.stringify(s) : s);
}
