/** Most header fields whose positions are kept for the fast JSON path; more take the slow path. */
export const MAX_SPANS = 96;

/** Positions of the header fields of the message being parsed: name [ns, ne), value [vs, ve). */
export const spans = {
  count: 0,
  /** Some value holds a byte JSON must escape (quote, backslash, control); names are tokens and never do. */
  escapes: false,
  ns: new Int32Array(MAX_SPANS),
  ne: new Int32Array(MAX_SPANS),
  vs: new Int32Array(MAX_SPANS),
  ve: new Int32Array(MAX_SPANS),
};

const HEX = '0123456789abcdef';

/** Bytes >= 0x80 written by the last spansJsonInto: each is a latin1 character, written as two UTF-8 bytes. */
let high = 0;

/** Copies b[a..e) to out at o with JSON escapes; bytes >= 0x80 as latin1 characters in UTF-8. Returns the end. */
function escapeInto(b: Buffer, a: number, e: number, out: Buffer, o: number): number {
  for (let i = a; i < e; i++) {
    const c = b[i]!;
    if (c === 0x22 || c === 0x5c) {
      out[o++] = 0x5c;
      out[o++] = c;
    } else if (c < 0x20) {
      out[o++] = 0x5c;
      out[o++] = 0x75; // \u00XX
      out[o++] = 0x30;
      out[o++] = 0x30;
      out[o++] = HEX.charCodeAt(c >> 4);
      out[o++] = HEX.charCodeAt(c & 15);
    } else if (c >= 0x80) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
      high++;
    } else {
      out[o++] = c;
    }
  }
  return o;
}

/** Copies b[a..e), latin1 text with no byte that needs a JSON escape, to out at o as UTF-8. Returns the end. */
export function copyLatin1(b: Buffer, a: number, e: number, out: Buffer, o: number): number {
  for (let i = a; i < e; i++) {
    const c = b[i]!;
    if (c < 0x80) {
      out[o++] = c;
    } else {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
      high++;
    }
  }
  return o;
}

function sameName(b: Buffer, i: number, j: number): boolean {
  const len = spans.ne[i]! - spans.ns[i]!;
  if (spans.ne[j]! - spans.ns[j]! !== len) return false;
  const a = spans.ns[i]!;
  const c = spans.ns[j]!;
  for (let k = 0; k < len; k++) if (b[a + k] !== b[c + k]) return false;
  return true;
}

/** Most bytes spansJsonInto may write for the current spans. */
export function spansJsonBound(): number {
  const n = Math.min(spans.count, MAX_SPANS);
  let worst = 2;
  // 6 bytes for an escaped control byte; names and values are at most doubled otherwise.
  for (let i = 0; i < n; i++) worst += 6 * (spans.ne[i]! - spans.ns[i]! + spans.ve[i]! - spans.vs[i]!) + 6;
  return worst;
}

/**
 * Writes the header fields as a JSON object, UTF-8, straight from the bytes into out at `o` (which has room
 * for spansJsonBound() bytes), as JSON.stringify of the latin1 strings would give. Returns the end, or -1
 * when the slow path must decide: repeated names (joined), too many fields, or over `limit` characters.
 */
export function spansJsonInto(b: Buffer, limit: number, out: Buffer, o: number): number {
  const n = spans.count;
  if (n > MAX_SPANS) return -1;
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (sameName(b, i, j)) return -1;
  const esc = spans.escapes;
  const from = o;
  high = 0;
  out[o++] = 0x7b; // {
  for (let i = 0; i < n; i++) {
    if (i > 0) out[o++] = 0x2c; // ,
    out[o++] = 0x22;
    o = copyLatin1(b, spans.ns[i]!, spans.ne[i]!, out, o);
    out[o++] = 0x22;
    out[o++] = 0x3a; // :
    out[o++] = 0x22;
    o = esc ? escapeInto(b, spans.vs[i]!, spans.ve[i]!, out, o) : copyLatin1(b, spans.vs[i]!, spans.ve[i]!, out, o);
    out[o++] = 0x22;
  }
  out[o++] = 0x7d; // }
  return o - from - high > limit ? -1 : o;
}
