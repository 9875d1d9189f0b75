/** Suffix of a value cut at the body limit. */
export const TRUNCATED = '... [TRUNCATED]';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Builds a readable string up to a character budget; past the budget it only records that it was cut.
 * One instance is reused for every frame of a connection, so rendering allocates only the strings.
 */
export class TextSink {
  text = '';
  truncated = false;
  private limit = 512;

  /** Starts a new text with this budget. */
  reset(limit: number): void {
    this.text = '';
    this.truncated = false;
    this.limit = limit;
  }

  /** Room left before the budget is spent. */
  room(): number {
    return this.truncated ? 0 : this.limit - this.text.length;
  }

  /** Appends s, cutting it at the budget. */
  add(s: string): void {
    if (this.truncated) return;
    const room = this.limit - this.text.length;
    if (s.length <= room) {
      this.text += s;
      return;
    }
    this.text += s.slice(0, Math.max(0, room));
    this.truncated = true;
  }

  /** The text, marked when it was cut. */
  finish(): string {
    return this.truncated ? this.text + TRUNCATED : this.text;
  }
}

/** UTF-8 text of buf[start, end), decoding at most `max` bytes (invalid bytes become U+FFFD). */
export function decodeText(buf: Uint8Array, start: number, end: number, max: number): string {
  const stop = end - start > max ? start + Math.max(0, max) : end;
  if (stop <= start) return '';
  let ascii = true;
  for (let i = start; i < stop; i++) {
    if (buf[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  // Short ASCII strings (commands, keys) are the common case; fromCharCode avoids TextDecoder's overhead.
  if (ascii && stop - start <= 64) return String.fromCharCode.apply(null, buf.subarray(start, stop) as unknown as number[]);
  return utf8.decode(buf.subarray(start, stop));
}
