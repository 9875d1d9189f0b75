import { concat } from '@nixie/core/testing';

const enc = new TextEncoder();

/** Concatenates byte arrays (the builders below read better with a short name). */
export const cat = concat;

export const u8 = (n: number) => Uint8Array.of(n & 255);
export const u16 = (n: number) => Uint8Array.of(n & 255, (n >> 8) & 255);
export const u32 = (n: number) => Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255);
export const str = (s: string) => enc.encode(s);
export const cstring = (s: string) => cat(enc.encode(s), Uint8Array.of(0));

/** Length-encoded integer. */
export function lenenc(n: number): Uint8Array {
  if (n < 0xfb) return u8(n);
  if (n < 0x10000) return cat(u8(0xfc), u16(n));
  if (n < 0x1000000) return cat(u8(0xfd), u16(n), u8(n >> 16));
  return cat(u8(0xfe), u32(n), u32(0));
}

/** Length-encoded string. */
export function lenencStr(s: string): Uint8Array {
  const b = enc.encode(s);
  return cat(lenenc(b.length), b);
}

/** A packet: 3-byte length, sequence id, payload. */
export function packet(seq: number, ...body: Uint8Array[]): Uint8Array {
  const b = cat(...body);
  return cat(u8(b.length), u8(b.length >> 8), u8(b.length >> 16), u8(seq), b);
}

/** Packets numbered from `first`, as a reply is (its first packet has sequence id 1). */
export function seqd(first: number, ...payloads: Uint8Array[]): Uint8Array {
  return cat(...payloads.map((p, i) => packet((first + i) & 255, p)));
}

export const CAPS_41 = 0x200 | 0x8000 | 0x80000; // PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH
export const DEPRECATE_EOF = 0x1000000;
export const MORE_RESULTS = 0x0008;

/** Payloads. */
export const p = {
  command: (cmd: number, ...body: Uint8Array[]) => cat(u8(cmd), ...body),
  ok: (affected = 0, status = 2) => cat(u8(0), lenenc(affected), lenenc(0), u16(status), u16(0)),
  /** The OK that ends a result set under CLIENT_DEPRECATE_EOF. */
  okEof: (status = 2) => cat(u8(0xfe), lenenc(0), lenenc(0), u16(status), u16(0)),
  eof: (status = 2) => cat(u8(0xfe), u16(0), u16(status)),
  err: (code: number, message: string) => cat(u8(0xff), u16(code), str('#42S02'), str(message)),
  columnCount: (n: number) => lenenc(n),
  columnDef: (name: string, type = 0xfd) =>
    cat(lenencStr('def'), lenencStr('test'), lenencStr('t'), lenencStr('t'), lenencStr(name), lenencStr(name), u8(0x0c), u16(33), u32(255), u8(type), u16(0), u8(0), u16(0)),
  textRow: (...vals: (string | null)[]) => cat(...vals.map((v) => (v === null ? u8(0xfb) : lenencStr(v)))),
  prepareOk: (id: number, columns: number, params: number) => cat(u8(0), u32(id), u16(columns), u16(params), u8(0), u16(0)),
  greeting: (caps: number) =>
    cat(u8(10), cstring('10.11.6-MariaDB'), u32(7), str('abcdefgh'), u8(0), u16(caps & 0xffff), u8(33), u16(2), u16(caps >>> 16), u8(21), new Uint8Array(10), str('ijklmnopqrst'), u8(0), cstring('mysql_native_password')),
  handshakeResponse: (caps: number) => cat(u32(caps), u32(16777216), u8(33), new Uint8Array(23), cstring('root'), u8(0), cstring('test')),
};

/** A binary-protocol parameter: [type, unsigned, value bytes] (value null = NULL). */
export type BinParam = [number, boolean, Uint8Array | null];

/** COM_STMT_EXECUTE payload; types sent when `bind` is true. */
export function execute(stmtId: number, params: BinParam[], bind = true): Uint8Array {
  const n = params.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  params.forEach(([, , v], i) => {
    if (v === null) bitmap[i >> 3]! |= 1 << (i & 7);
  });
  const parts: Uint8Array[] = [u8(0x17), u32(stmtId), u8(0), u32(1)];
  if (n > 0) {
    parts.push(bitmap, u8(bind ? 1 : 0));
    if (bind) for (const [t, uns] of params) parts.push(u8(t), u8(uns ? 0x80 : 0));
    for (const [, , v] of params) if (v !== null) parts.push(v);
  }
  return cat(...parts);
}

/** Little-endian 8-byte integer. */
export function i64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n, true);
  return b;
}

/** Little-endian double. */
export function f64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, n, true);
  return b;
}
