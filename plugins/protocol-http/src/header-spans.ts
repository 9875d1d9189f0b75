import { latin1 } from './bytes.js';

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

let scratch = Buffer.allocUnsafe(16 * 1024);
const HEX = '0123456789abcdef';

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
    } else {
      out[o++] = c;
    }
  }
  return o;
}

/** Copies b[a..e) to out at o (no byte needs escaping). */
function copyInto(b: Buffer, a: number, e: number, out: Buffer, o: number): number {
  for (let i = a; i < e; i++) out[o++] = b[i]!;
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

/**
 * The header fields as a JSON object, written straight from the bytes (latin1, as JSON.stringify of the
 * latin1 strings would give), or undefined when the slow path must decide: repeated names (joined),
 * too many fields, or a result over `limit`.
 */
export function spansJson(b: Buffer, limit: number): string | undefined {
  const n = spans.count;
  if (n > MAX_SPANS) return undefined;
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (sameName(b, i, j)) return undefined;
  const esc = spans.escapes;
  let worst = 2;
  for (let i = 0; i < n; i++) worst += (esc ? 6 : 1) * (spans.ne[i]! - spans.ns[i]! + spans.ve[i]! - spans.vs[i]!) + 6;
  if (worst > scratch.length) scratch = Buffer.allocUnsafe(Math.max(worst, scratch.length * 2));
  const out = scratch;
  let o = 0;
  out[o++] = 0x7b; // {
  for (let i = 0; i < n; i++) {
    if (i > 0) out[o++] = 0x2c; // ,
    out[o++] = 0x22;
    o = copyInto(b, spans.ns[i]!, spans.ne[i]!, out, o);
    out[o++] = 0x22;
    out[o++] = 0x3a; // :
    out[o++] = 0x22;
    o = esc ? escapeInto(b, spans.vs[i]!, spans.ve[i]!, out, o) : copyInto(b, spans.vs[i]!, spans.ve[i]!, out, o);
    out[o++] = 0x22;
  }
  out[o++] = 0x7d; // }
  if (o > limit) return undefined;
  return latin1(out, 0, o);
}
