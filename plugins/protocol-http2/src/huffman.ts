/**
 * HPACK's Huffman code (RFC 7541 Appendix B). The code is canonical: codes of one length are
 * consecutive and ordered by symbol, so the 257 code lengths define it completely. The decoder is
 * a binary tree in two Int16Arrays, walked bit by bit; the tree is built once at load.
 */

/** Code length in bits for symbols 0..255 and EOS (256), in rows of 16 (RFC 7541 Appendix B, column "len"). */
// prettier-ignore
export const HUFFMAN_CODE_LENGTHS: readonly number[] = Object.freeze([
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0..15
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16..31
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, //          ' '..'/'
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, //               '0'..'?'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, //                 '@'..'O'
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, //              'P'..'_'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, //                 '`'..'o'
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, //             'p'..127
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128..143
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144..159
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160..175
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176..191
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192..207
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208..223
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224..239
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240..255
  30, //                                                              EOS
]);

export const EOS = 256;

/** Canonical codes from the lengths: per length, consecutive values in symbol order. */
export function canonicalCodes(lengths: readonly number[]): number[] {
  const maxLen = Math.max(...lengths);
  const codes = new Array<number>(lengths.length).fill(0);
  let code = 0;
  for (let len = 1; len <= maxLen; len++) {
    for (let sym = 0; sym < lengths.length; sym++) {
      if (lengths[sym] !== len) continue;
      codes[sym] = code;
      code++;
    }
    code *= 2;
  }
  return codes;
}

/** Tree nodes: child index for bit 0 / bit 1; a leaf stores -(symbol + 1). */
const zero = new Int16Array(512);
const one = new Int16Array(512);

function buildTree(): void {
  const codes = canonicalCodes(HUFFMAN_CODE_LENGTHS);
  let next = 1; // node 0 is the root
  for (let sym = 0; sym < HUFFMAN_CODE_LENGTHS.length; sym++) {
    const len = HUFFMAN_CODE_LENGTHS[sym]!;
    const code = codes[sym]!;
    let node = 0;
    for (let i = len - 1; i >= 0; i--) {
      const bit = Math.floor(code / 2 ** i) % 2;
      const arr = bit ? one : zero;
      if (i === 0) {
        arr[node] = -(sym + 1);
      } else {
        if (arr[node] === 0) arr[node] = next++;
        node = arr[node]!;
      }
    }
  }
}
buildTree();

/**
 * Decodes `len` Huffman-coded bytes at `buf[off]` into `out` from 0; returns the byte count, or -1
 * when the input is not valid (EOS inside, padding longer than 7 bits or not all ones, or `out`
 * too small).
 */
export function huffmanDecode(buf: Uint8Array, off: number, len: number, out: Uint8Array): number {
  let node = 0;
  let n = 0;
  // Bits read since the last symbol ended, and whether they were all ones (valid padding).
  let pending = 0;
  let allOnes = true;
  const end = off + len;
  for (let i = off; i < end; i++) {
    const b = buf[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      const set = (b >> bit) & 1;
      const child = set ? one[node]! : zero[node]!;
      pending++;
      if (!set) allOnes = false;
      if (child < 0) {
        const sym = -child - 1;
        if (sym === EOS || n >= out.length) return -1;
        out[n++] = sym;
        node = 0;
        pending = 0;
        allOnes = true;
      } else if (child === 0) {
        return -1;
      } else {
        node = child;
      }
    }
  }
  if (pending > 7 || !allOnes) return -1;
  return n;
}
