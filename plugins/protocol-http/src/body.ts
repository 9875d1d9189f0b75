import { gunzipSync, inflateSync, constants as zconst } from 'node:zlib';
import { CR, LF, hexValue } from './bytes.js';

/** Where a chunked body ends, and its de-chunked size; or needs-more-data (-1) / invalid (-2). */
export interface ChunkedScan {
  /** Offset just after the last byte of the chunked body (after trailers), or -1 more data, -2 invalid. */
  end: number;
  /** Sum of chunk sizes. */
  size: number;
}

const scan: ChunkedScan = { end: 0, size: 0 };
/** Longest chunk-size line (size, extensions) we accept. */
const MAX_CHUNK_LINE = 1024;
/** Largest chunk size accepted: 8 hex digits. */
const MAX_HEX_DIGITS = 8;

/** Finds the end of a chunked body starting at `from`; the result object is reused between calls. */
export function scanChunked(buf: Uint8Array, from: number, end: number): ChunkedScan {
  let p = from;
  let size = 0;
  for (;;) {
    // chunk-size [; ext] CRLF
    let n = 0;
    let digits = 0;
    while (p < end) {
      const v = hexValue(buf[p]!);
      if (v < 0) break;
      if (++digits > MAX_HEX_DIGITS) return fail(-2);
      n = n * 16 + v;
      p++;
    }
    if (p >= end) return fail(-1);
    if (digits === 0) return fail(-2);
    const lineStart = p;
    while (p < end && buf[p] !== LF) {
      if (p - lineStart > MAX_CHUNK_LINE) return fail(-2);
      p++;
    }
    if (p >= end) return fail(-1);
    if (buf[p - 1] !== CR) return fail(-2);
    p++;
    if (n === 0) {
      // trailer-section CRLF: header lines until an empty line
      for (;;) {
        const ls = p;
        while (p < end && buf[p] !== LF) {
          if (p - ls > 16 * 1024) return fail(-2);
          p++;
        }
        if (p >= end) return fail(-1);
        if (buf[p - 1] !== CR || p - 1 < ls) return fail(-2);
        p++;
        if (p - ls === 2) {
          scan.end = p;
          scan.size = size;
          return scan;
        }
      }
    }
    if (p + n + 2 > end) return fail(-1);
    if (buf[p + n] !== CR || buf[p + n + 1] !== LF) return fail(-2);
    size += n;
    p += n + 2;
  }
}

function fail(code: number): ChunkedScan {
  scan.end = code;
  scan.size = 0;
  return scan;
}

/** Copies the de-chunked body of a well-formed chunked section, up to `limit` bytes. */
export function gatherChunked(buf: Buffer, from: number, limit: number): Buffer {
  const parts: Buffer[] = [];
  let have = 0;
  let p = from;
  while (have < limit) {
    let n = 0;
    while (hexValue(buf[p]!) >= 0) n = n * 16 + hexValue(buf[p++]!);
    while (buf[p] !== LF) p++;
    p++;
    if (n === 0) break;
    const take = Math.min(n, limit - have);
    parts.push(buf.subarray(p, p + take));
    have += take;
    p += n + 2;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
}

/** Most bytes an inflated body may take: bounded memory whatever the input. */
const MAX_INFLATED = 1024 * 1024;

/** Inflates a gzip or deflate body; undefined if the bytes do not inflate (never throws). */
export function inflateBody(body: Buffer, encoding: 'gzip' | 'deflate'): Buffer | undefined {
  try {
    const opts = { finishFlush: zconst.Z_SYNC_FLUSH, maxOutputLength: MAX_INFLATED };
    return encoding === 'gzip' ? gunzipSync(body, opts) : inflateSync(body, opts);
  } catch {
    return undefined;
  }
}
