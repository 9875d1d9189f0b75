// Byte builders for HTTP/2 tests: frames, HPACK fields (with a small Huffman encoder), gRPC messages.
import { canonicalCodes, HUFFMAN_CODE_LENGTHS } from '../src/huffman.js';

const enc = new TextEncoder();
const codes = canonicalCodes(HUFFMAN_CODE_LENGTHS);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** An HTTP/2 frame: 9-byte header + payload. */
export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new Uint8Array(9);
  h[0] = (payload.length >> 16) & 0xff;
  h[1] = (payload.length >> 8) & 0xff;
  h[2] = payload.length & 0xff;
  h[3] = type;
  h[4] = flags;
  new DataView(h.buffer).setUint32(5, streamId >>> 0);
  return concat(h, payload);
}

/** HPACK integer with an N-bit prefix; `first` holds the pattern bits above the prefix. */
export function hInt(prefix: number, first: number, value: number): Uint8Array {
  const max = (1 << prefix) - 1;
  if (value < max) return Uint8Array.of(first | value);
  const out = [first | max];
  let v = value - max;
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

export function huffmanEncode(s: string): Uint8Array {
  const bytes = enc.encode(s);
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    const len = HUFFMAN_CODE_LENGTHS[b]!;
    const code = codes[b]!;
    for (let i = len - 1; i >= 0; i--) {
      acc = (acc << 1) | (Math.floor(code / 2 ** i) % 2);
      bits++;
      if (bits === 8) {
        out.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push(((acc << (8 - bits)) | ((1 << (8 - bits)) - 1)) & 0xff);
  return Uint8Array.from(out);
}

/** HPACK string literal. */
export function hStr(s: string, huffman = false): Uint8Array {
  const raw = huffman ? huffmanEncode(s) : enc.encode(s);
  return concat(hInt(7, huffman ? 0x80 : 0, raw.length), raw);
}

/** Indexed field (§6.1). */
export const indexed = (i: number) => hInt(7, 0x80, i);

export type LiteralKind = 'incremental' | 'without' | 'never';

/** Literal field with a literal or indexed name (§6.2). */
export function literal(name: string | number, value: string, kind: LiteralKind = 'incremental', huffman = false): Uint8Array {
  const [prefix, first] = kind === 'incremental' ? [6, 0x40] : kind === 'without' ? [4, 0] : [4, 0x10];
  if (typeof name === 'number') return concat(hInt(prefix, first, name), hStr(value, huffman));
  return concat(hInt(prefix, first, 0), hStr(name, huffman), hStr(value, huffman));
}

/** Dynamic table size update (§6.3). */
export const sizeUpdate = (n: number) => hInt(5, 0x20, n);

/** gRPC length-prefixed message. */
export function grpcMessage(body: Uint8Array | string, compressed = false): Uint8Array {
  const b = typeof body === 'string' ? enc.encode(body) : body;
  const h = new Uint8Array(5);
  h[0] = compressed ? 1 : 0;
  new DataView(h.buffer).setUint32(1, b.length);
  return concat(h, b);
}

export const text = (s: string) => enc.encode(s);
export const PREFACE_BYTES = enc.encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export const T = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 };
export const F = { END_STREAM: 1, ACK: 1, END_HEADERS: 4, PADDED: 8, PRIORITY: 0x20 };
