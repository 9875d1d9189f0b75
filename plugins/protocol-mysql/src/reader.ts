import { decodeText } from '@nixie/core';

/**
 * A bounds-checked little-endian cursor. Reads past the end set `ok` to false and return neutral
 * values instead of throwing, so a parser checks `ok` once.
 */
export class Reader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  ok = true;

  /** Points the cursor at buf[pos, end). */
  reset(buf: Uint8Array, pos: number, end: number): this {
    this.buf = buf;
    this.pos = pos;
    this.end = Math.min(end, buf.length);
    this.ok = true;
    return this;
  }

  left(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos + 1 > this.end) return this.fail();
    return this.buf[this.pos++]!;
  }

  u16(): number {
    if (this.pos + 2 > this.end) return this.fail();
    const b = this.buf;
    const p = this.pos;
    this.pos += 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  u24(): number {
    if (this.pos + 3 > this.end) return this.fail();
    const b = this.buf;
    const p = this.pos;
    this.pos += 3;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
  }

  u32(): number {
    if (this.pos + 4 > this.end) return this.fail();
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  /** Length-encoded integer; -1 for the NULL marker 0xfb. Values past 2^53 lose precision. */
  lenenc(): number {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfb) return -1;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u24();
    if (first === 0xfe) {
      const lo = this.u32();
      return lo + this.u32() * 0x100000000;
    }
    this.fail();
    return 0;
  }

  /** Length-encoded string, decoding at most max bytes; null for NULL. */
  lenencString(max: number): string | null {
    const n = this.lenenc();
    if (n < 0) return null;
    return this.fixedString(n, max);
  }

  /** n bytes as text, decoding at most max of them. */
  fixedString(n: number, max: number): string {
    const start = this.pos;
    this.skip(n);
    if (!this.ok) return '';
    return decodeText(this.buf, start, start + n, max);
  }

  /** The rest of the packet as text. */
  restString(max: number): string {
    const s = decodeText(this.buf, this.pos, this.end, max);
    this.pos = this.end;
    return s;
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) this.fail();
    else this.pos += n;
  }

  private fail(): number {
    this.ok = false;
    this.pos = this.end;
    return 0;
  }
}
