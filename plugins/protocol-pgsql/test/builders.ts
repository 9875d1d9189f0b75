import { concat } from '@nixie/core/testing';

const enc = new TextEncoder();

/** Concatenates byte arrays (the builders below read better with a short name). */
export const cat = concat;

/** A NUL-terminated string. */
export function cstring(s: string): Uint8Array {
  return cat(enc.encode(s), Uint8Array.of(0));
}

/** Big-endian int16. */
export function i16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 255, n & 255);
}

/** Big-endian int32. */
export function i32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255);
}

/** A typed message: type byte, int32 length (itself included), body. */
export function frame(code: string, ...body: Uint8Array[]): Uint8Array {
  const b = cat(...body);
  return cat(Uint8Array.of(code.charCodeAt(0)), i32(b.length + 4), b);
}

/** Frontend messages. */
export const fe = {
  startup: (params: Record<string, string>) => {
    const body = cat(i32(196608), ...Object.entries(params).flatMap(([k, v]) => [cstring(k), cstring(v)]), Uint8Array.of(0));
    return cat(i32(body.length + 4), body);
  },
  sslRequest: () => cat(i32(8), i32(80877103)),
  query: (sql: string) => frame('Q', cstring(sql)),
  parse: (name: string, sql: string, types: number[] = []) => frame('P', cstring(name), cstring(sql), i16(types.length), ...types.map(i32)),
  /** Bind with text params (null = NULL) or binary ones (Uint8Array). */
  bind: (portal: string, stmt: string, params: (string | Uint8Array | null)[]) =>
    frame(
      'B',
      cstring(portal),
      cstring(stmt),
      i16(params.length),
      ...params.map((p) => i16(p instanceof Uint8Array ? 1 : 0)),
      i16(params.length),
      ...params.flatMap((p) => (p === null ? [i32(-1)] : [i32(typeof p === 'string' ? enc.encode(p).length : p.length), typeof p === 'string' ? enc.encode(p) : p])),
      i16(0),
    ),
  describe: (kind: 'S' | 'P', name: string) => frame('D', Uint8Array.of(kind.charCodeAt(0)), cstring(name)),
  execute: (portal: string, maxRows = 0) => frame('E', cstring(portal), i32(maxRows)),
  close: (kind: 'S' | 'P', name: string) => frame('C', Uint8Array.of(kind.charCodeAt(0)), cstring(name)),
  sync: () => frame('S'),
  flush: () => frame('H'),
  terminate: () => frame('X'),
  password: (p: string) => frame('p', cstring(p)),
};

/** Backend messages. */
export const be = {
  authOk: () => frame('R', i32(0)),
  authMd5: () => frame('R', i32(5), Uint8Array.of(1, 2, 3, 4)),
  parameterStatus: (k: string, v: string) => frame('S', cstring(k), cstring(v)),
  keyData: () => frame('K', i32(1234), i32(5678)),
  ready: (status = 'I') => frame('Z', Uint8Array.of(status.charCodeAt(0))),
  rowDescription: (...cols: string[]) =>
    frame('T', i16(cols.length), ...cols.flatMap((c) => [cstring(c), i32(0), i16(0), i32(25), i16(-1), i32(-1), i16(0)])),
  dataRow: (...vals: string[]) => frame('D', i16(vals.length), ...vals.flatMap((v) => [i32(enc.encode(v).length), enc.encode(v)])),
  complete: (tag: string) => frame('C', cstring(tag)),
  error: (message: string, code = '42P01') =>
    frame('E', Uint8Array.of(0x53), cstring('ERROR'), Uint8Array.of(0x56), cstring('ERROR'), Uint8Array.of(0x43), cstring(code), Uint8Array.of(0x4d), cstring(message), Uint8Array.of(0)),
  notice: (message: string) => frame('N', Uint8Array.of(0x53), cstring('NOTICE'), Uint8Array.of(0x4d), cstring(message), Uint8Array.of(0)),
  parseComplete: () => frame('1'),
  bindComplete: () => frame('2'),
  closeComplete: () => frame('3'),
  noData: () => frame('n'),
  emptyQuery: () => frame('I'),
  portalSuspended: () => frame('s'),
  parameterDescription: (...oids: number[]) => frame('t', i16(oids.length), ...oids.map(i32)),
};

/** A server's reply to a simple query returning rows. */
export function selectReply(tag: string, rows: string[][]): Uint8Array {
  return cat(be.rowDescription(...rows[0]!.map((_, i) => `c${i}`)), ...rows.map((r) => be.dataRow(...r)), be.complete(tag), be.ready());
}
