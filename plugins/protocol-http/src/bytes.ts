/**
 * Byte helpers for the HTTP/1 parser: bounds-checked, allocation-free except where a string is the result.
 */

/** `buf` as a Buffer view (no copy), so that latin1/utf8 slicing and indexOf are native. */
export function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HT = 0x09;
export const COLON = 0x3a;

/** "\r\n\r\n", searched with the native Buffer.indexOf. */
export const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
/** "HTTP/1.", how every HTTP/1 response starts. */
export const HTTP1 = Buffer.from('HTTP/1.', 'latin1');

/** Whether buf[a..b) equals `lower` ignoring ASCII case; `lower` must be lower case. */
export function eqLower(buf: Uint8Array, a: number, b: number, lower: string): boolean {
  if (b - a !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = buf[a + i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether buf[a..b) contains `lower` ignoring ASCII case; `lower` must be lower case. */
export function containsLower(buf: Uint8Array, a: number, b: number, lower: string): boolean {
  const n = lower.length;
  for (let i = a; i + n <= b; i++) {
    let j = 0;
    for (; j < n; j++) {
      let c = buf[i + j]!;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (c !== lower.charCodeAt(j)) break;
    }
    if (j === n) return true;
  }
  return false;
}

/** Decimal integer in buf[a..b) (surrounding spaces allowed), or -1 if not a valid one below 2^53. */
export function parseDecimal(buf: Uint8Array, a: number, b: number): number {
  while (a < b && (buf[a] === SP || buf[a] === HT)) a++;
  while (b > a && (buf[b - 1] === SP || buf[b - 1] === HT)) b--;
  if (a === b || b - a > 15) return -1;
  let n = 0;
  for (let i = a; i < b; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Value of a hex digit, or -1. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** Whether c may appear in a header field name (RFC 9110 token). */
export function isTokenChar(c: number): boolean {
  if (c >= 0x61 && c <= 0x7a) return true; // a-z
  if (c >= 0x41 && c <= 0x5a) return true; // A-Z
  if (c >= 0x30 && c <= 0x39) return true; // 0-9
  // !#$%&'*+-.^_`|~
  return c === 0x2d || c === 0x5f || c === 0x2e || c === 0x21 || c === 0x23 || c === 0x24 || c === 0x25 ||
    c === 0x26 || c === 0x27 || c === 0x2a || c === 0x2b || c === 0x5e || c === 0x60 || c === 0x7c || c === 0x7e;
}

/** Node's native slicers (on every Buffer; absent from the typings): toString without its argument checks. */
interface NativeSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** b[a..e) as latin1 text (header names, values, paths). */
export function latin1(b: Buffer, a: number, e: number): string {
  return (b as unknown as NativeSlices).latin1Slice(a, e);
}

/** b[a..e) as UTF-8 text (bodies); bad sequences become U+FFFD. */
export function utf8(b: Buffer, a: number, e: number): string {
  return (b as unknown as NativeSlices).utf8Slice(a, e);
}
