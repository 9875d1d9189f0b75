import type { StringColumn } from '@nixie/core';
import { utf8At } from './vec.js';

/**
 * Interns strings straight from UTF-8 bytes: an open-addressing table keyed by FNV-1a of the bytes,
 * so that grouping and joining on a string column decode each distinct value once, not every row.
 * JS strings (computed columns) go through a Map to the same codes.
 */
export class StringDict {
  /** Distinct values, by code. */
  readonly values: string[] = [];
  private readonly map = new Map<string, number>();
  private slots = new Int32Array(1024).fill(-1);
  // Byte entries: hash, start and end in keyBytes, and the code they stand for.
  private entHash = new Uint32Array(256);
  private entStart = new Uint32Array(256);
  private entEnd = new Uint32Array(256);
  private entCode = new Int32Array(256);
  private entries = 0;
  private keyBytes = new Uint8Array(4096);
  private keyUsed = 0;

  /** Code of row i of a UTF-8 column, adding it if new. */
  codeOfBytes(col: StringColumn, i: number): number {
    const bytes = col.bytes;
    const a = col.offsets[i]!;
    const b = col.offsets[i + 1]!;
    const len = b - a;
    // Every byte counts (ids in the middle of paths must not collide), four at a time.
    let h = Math.imul(0x811c9dc5 ^ len, 16777619);
    let j = a;
    for (; j + 4 <= b; j += 4) h = Math.imul(h ^ (bytes[j]! | (bytes[j + 1]! << 8) | (bytes[j + 2]! << 16) | (bytes[j + 3]! << 24)), 16777619);
    for (; j < b; j++) h = Math.imul(h ^ bytes[j]!, 16777619);
    h ^= h >>> 15;
    h >>>= 0;
    const slots = this.slots;
    const mask = slots.length - 1;
    let s = h & mask;
    const kb = this.keyBytes;
    const eh = this.entHash;
    const es = this.entStart;
    const ee = this.entEnd;
    for (;;) {
      const e = slots[s]!;
      if (e < 0) break;
      if (eh[e] === h) {
        const ka = es[e]!;
        if (ee[e]! - ka === len) {
          let j = len - 1;
          while (j >= 0 && kb[ka + j] === bytes[a + j]) j--;
          if (j < 0) return this.entCode[e]!;
        }
      }
      s = (s + 1) & mask;
    }
    const code = this.codeOf(utf8At(col, i));
    this.addEntry(h, bytes.subarray(a, b), code, s);
    return code;
  }

  private addEntry(h: number, key: Uint8Array, code: number, slot: number): void {
    const e = this.entries++;
    if (e >= this.entHash.length) {
      const n = this.entHash.length * 2;
      this.entHash = grow(this.entHash, n);
      this.entStart = grow(this.entStart, n);
      this.entEnd = grow(this.entEnd, n);
      this.entCode = grow(this.entCode, n);
    }
    if (this.keyUsed + key.length > this.keyBytes.length) {
      let cap = this.keyBytes.length * 2;
      while (cap < this.keyUsed + key.length) cap *= 2;
      this.keyBytes = grow(this.keyBytes, cap);
    }
    this.keyBytes.set(key, this.keyUsed);
    this.entHash[e] = h;
    this.entStart[e] = this.keyUsed;
    this.entEnd[e] = this.keyUsed + key.length;
    this.entCode[e] = code;
    this.keyUsed += key.length;
    this.slots[slot] = e;
    if (this.entries * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let e = 0; e < this.entries; e++) {
      let s = this.entHash[e]! & mask;
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = e;
    }
    this.slots = slots;
  }

  /** Code of a JS string, adding it if new. */
  codeOf(s: string): number {
    let code = this.map.get(s);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(s);
      this.map.set(s, code);
    }
    return code;
  }
}

function grow<A extends Uint32Array | Int32Array | Uint8Array>(a: A, n: number): A {
  const b = new (a.constructor as new (n: number) => A)(n);
  b.set(a);
  return b;
}
