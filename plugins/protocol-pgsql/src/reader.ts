import { decodeText, TRUNCATED } from '@nixie/core';

/**
 * A bounds-checked cursor over one message. Reads past the end set `ok` to false and return
 * neutral values instead of throwing, so a parser checks `ok` once at the end.
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
    this.end = end;
    this.ok = true;
    return this;
  }

  /** Bytes left. */
  left(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos + 1 > this.end) return this.fail();
    return this.buf[this.pos++]!;
  }

  /** Big-endian signed 16-bit integer. */
  i16(): number {
    if (this.pos + 2 > this.end) return this.fail();
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v & 0x8000 ? v - 0x10000 : v;
  }

  /** Big-endian signed 32-bit integer. */
  i32(): number {
    if (this.pos + 4 > this.end) return this.fail();
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  /** A NUL-terminated string, decoding at most max bytes of it (a cut string is marked). */
  cstring(max: number): string {
    const start = this.pos;
    let i = start;
    while (i < this.end && this.buf[i] !== 0) i++;
    if (i >= this.end) {
      this.fail();
      return '';
    }
    this.pos = i + 1;
    const text = decodeText(this.buf, start, i, max);
    return i - start > max ? text + TRUNCATED : text;
  }

  /** Skips n bytes. */
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

/** Big-endian signed 32-bit integer at buf[p] (caller checks bounds). */
export function readI32(buf: Uint8Array, p: number): number {
  return (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
}
