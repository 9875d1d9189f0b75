/** Byte helpers shared by the store, the agent and the broker. */

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Writes s to out at `at` if it is all ASCII, and returns its length; -1 (having written a prefix) if not.
 * For short strings: a JS copy costs ~2.5 ns a character, a call into the native UTF-8 writer ~60 ns.
 */
export function asciiInto(s: string, out: Uint8Array, at: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    out[at + i] = c;
  }
  return n;
}
