/**
 * Request methods the decoder accepts. Matching the method against a known list (as Pixie does) keeps
 * resync from locking onto random upper-case text, and returns interned strings: no allocation per request.
 */
/** In this order in wasm/http1.c too: its method numbers index this list. */
export const METHODS: readonly string[] = [
  'GET', 'PUT', 'POST', 'HEAD', 'PATCH', 'TRACE', 'DELETE', 'OPTIONS', 'CONNECT',
  // WebDAV, seen in the wild on plain HTTP
  'COPY', 'LOCK', 'MOVE', 'MKCOL', 'UNLOCK', 'SEARCH', 'PROPFIND', 'PROPPATCH',
];

/** Longest known method, in bytes. */
export const MAX_METHOD_LENGTH = 9;

const BY_LENGTH: string[][] = [];
for (const m of METHODS) (BY_LENGTH[m.length] ??= []).push(m);

/** The known method spelled by buf[a..a+len), or '' if none. */
export function methodAt(buf: Uint8Array, a: number, len: number): string {
  const cands = BY_LENGTH[len];
  if (!cands || a + len > buf.length) return '';
  for (const m of cands) {
    let i = 0;
    while (i < len && buf[a + i] === m.charCodeAt(i)) i++;
    if (i === len) return m;
  }
  return '';
}

/** Whether buf[a..end) could be the start of a known method followed by a space (for partial input). */
export function couldBeMethodPrefix(buf: Uint8Array, a: number, end: number): boolean {
  const n = Math.min(end - a, MAX_METHOD_LENGTH + 1);
  outer: for (const m of METHODS) {
    for (let i = 0; i < n; i++) {
      const c = buf[a + i]!;
      if (i === m.length) {
        if (c === 0x20) return true;
        continue outer;
      }
      if (c !== m.charCodeAt(i)) continue outer;
    }
    return true;
  }
  return false;
}
