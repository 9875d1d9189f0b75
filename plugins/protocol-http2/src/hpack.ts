import { huffmanDecode } from './huffman.js';
import { STATIC_COUNT, STATIC_TABLE } from './static-table.js';

/** Header fields as a flat list: name, value, name, value, ... (no object per field). */
export type HeaderList = string[];

/** Name of the header that marks fields the decoder could not recover (tracer attached mid-connection). */
export const UNDECODED_HEADER = ':nixie-undecoded';

/** Per RFC 7541 §4.1: every entry costs 32 octets on top of its name and value. */
const ENTRY_OVERHEAD = 32;
/** Default SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.2). */
export const DEFAULT_TABLE_SIZE = 4096;
/** Larger table size updates are clamped: entries beyond it are reported as undecoded, memory stays bounded. */
export const MAX_TABLE_SIZE = 65536;
/** Most fields kept per block; later ones still update the dynamic table. */
const MAX_FIELDS = 256;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Bytes [start, end) as a string: a loop for short ASCII (the common header), TextDecoder otherwise. */
export function bytesToString(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 48) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return utf8.decode(buf.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(buf.subarray(start, end));
}

/**
 * One direction's HPACK decoding context: the dynamic table (a ring of the newest entries) and a
 * scratch buffer for Huffman output. Entries whose name was never seen (indexed beyond our table)
 * are kept with a null name, so later indexes stay aligned with the encoder's table.
 */
export class HpackDecoder {
  /** Dynamic table size limit in force (changed by size updates in header blocks). */
  maxSize = DEFAULT_TABLE_SIZE;
  /** Octets the dynamic table holds now, by RFC 7541's accounting. */
  size = 0;
  /** Fields the last decode() could not recover. */
  undecoded = 0;
  /** Whether the last decode() stopped on malformed bytes. */
  malformed = false;
  private names: (string | null)[] = new Array<string | null>(16).fill(null);
  private values: string[] = new Array<string>(16).fill('');
  private sizes = new Float64Array(16);
  private nameOctets = new Float64Array(16);
  private head = 0; // slot of the newest entry
  private count = 0;
  private pos = 0;
  private scratch = new Uint8Array(4096);

  /** Entries in the dynamic table. */
  get length(): number {
    return this.count;
  }

  /**
   * Decodes the header block buf[start, end), appending fields to `out` (at most MAX_FIELDS kept)
   * and updating the dynamic table. Never throws; sets `undecoded` and `malformed`.
   */
  decode(buf: Uint8Array, start: number, end: number, out: HeaderList): void {
    this.undecoded = 0;
    this.malformed = false;
    this.pos = start;
    while (this.pos < end) {
      const b = buf[this.pos]!;
      if (b & 0x80) {
        // Indexed field (§6.1).
        const idx = this.integer(buf, end, 7);
        if (idx <= 0) return this.fail();
        this.emitIndexed(idx, out);
      } else if (b & 0x40) {
        // Literal with incremental indexing (§6.2.1).
        if (!this.literal(buf, end, 6, true, out)) return this.fail();
      } else if (b & 0x20) {
        // Dynamic table size update (§6.3).
        const size = this.integer(buf, end, 5);
        if (size < 0) return this.fail();
        this.maxSize = Math.min(size, MAX_TABLE_SIZE);
        this.evict(0);
      } else {
        // Literal without indexing (0000) or never indexed (0001) (§6.2.2, §6.2.3).
        if (!this.literal(buf, end, 4, false, out)) return this.fail();
      }
    }
  }

  /** Forgets the dynamic table: later references to it are reported as undecoded, not misread. */
  reset(): void {
    this.count = 0;
    this.size = 0;
  }

  private fail(): void {
    this.malformed = true;
    this.undecoded++;
    // The table may have missed an insertion; an empty table cannot be misread.
    this.reset();
  }

  private emitIndexed(idx: number, out: HeaderList): void {
    if (idx <= STATIC_COUNT) {
      const e = STATIC_TABLE[idx]!;
      push(out, e[0], e[1]);
      return;
    }
    const slot = this.slot(idx - STATIC_COUNT - 1);
    const name = slot < 0 ? null : (this.names[slot] ?? null);
    if (name === null) this.undecoded++;
    else push(out, name, this.values[slot]!);
  }

  private literal(buf: Uint8Array, end: number, prefix: number, index: boolean, out: HeaderList): boolean {
    const nameIdx = this.integer(buf, end, prefix);
    if (nameIdx < 0) return false;
    let name: string | null;
    let nameLen: number;
    if (nameIdx === 0) {
      const s = this.string(buf, end);
      if (s === null) return false;
      name = s;
      nameLen = this.lastOctets;
    } else if (nameIdx <= STATIC_COUNT) {
      name = STATIC_TABLE[nameIdx]![0];
      nameLen = name.length;
    } else {
      const slot = this.slot(nameIdx - STATIC_COUNT - 1);
      name = slot < 0 ? null : (this.names[slot] ?? null);
      nameLen = slot < 0 ? 0 : this.nameOctets[slot]!;
    }
    const value = this.string(buf, end);
    if (value === null) return false;
    const valueLen = this.lastOctets;
    if (name === null) this.undecoded++;
    else push(out, name, value);
    if (index) this.insert(name, value, nameLen, ENTRY_OVERHEAD + nameLen + valueLen);
    return true;
  }

  /** Octet length of the last string read (differs from the JS length for UTF-8). */
  private lastOctets = 0;

  /** Reads a string literal (§5.2); null on truncation or bad Huffman. */
  private string(buf: Uint8Array, end: number): string | null {
    if (this.pos >= end) return null;
    const huffman = (buf[this.pos]! & 0x80) !== 0;
    const len = this.integer(buf, end, 7);
    if (len < 0 || this.pos + len > end) return null;
    const start = this.pos;
    this.pos += len;
    if (!huffman) {
      this.lastOctets = len;
      return bytesToString(buf, start, start + len);
    }
    // Huffman codes are at least 5 bits, so the output is at most len * 8 / 5 octets.
    const need = Math.ceil((len * 8) / 5);
    if (this.scratch.length < need) this.scratch = new Uint8Array(Math.max(need, this.scratch.length * 2));
    const n = huffmanDecode(buf, start, len, this.scratch);
    if (n < 0) return null;
    this.lastOctets = n;
    return bytesToString(this.scratch, 0, n);
  }

  /** Reads an integer with an N-bit prefix (§5.1); -1 on truncation or a value above 2^28. */
  private integer(buf: Uint8Array, end: number, prefix: number): number {
    if (this.pos >= end) return -1;
    const max = (1 << prefix) - 1;
    let v = buf[this.pos++]! & max;
    if (v < max) return v;
    let shift = 0;
    while (this.pos < end) {
      const b = buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (v > 0x10000000) return -1;
      if ((b & 0x80) === 0) return v;
    }
    return -1;
  }

  /** Ring slot of dynamic entry i (0 = newest), or -1 when the table holds no such entry. */
  private slot(i: number): number {
    if (i < 0 || i >= this.count) return -1;
    return (this.head + i) & (this.names.length - 1);
  }

  private insert(name: string | null, value: string, nameLen: number, size: number): void {
    if (size > this.maxSize) {
      // §4.4: an entry larger than the table empties it and is not added.
      this.reset();
      return;
    }
    this.evict(size);
    if (this.count === this.names.length) this.grow();
    const cap = this.names.length;
    this.head = (this.head - 1 + cap) & (cap - 1);
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.sizes[this.head] = size;
    this.nameOctets[this.head] = nameLen;
    this.count++;
    this.size += size;
  }

  /** Drops the oldest entries until `incoming` more octets fit under maxSize. */
  private evict(incoming: number): void {
    while (this.count > 0 && this.size + incoming > this.maxSize) {
      const s = this.slot(this.count - 1);
      this.size -= this.sizes[s]!;
      this.names[s] = null;
      this.values[s] = '';
      this.count--;
    }
    if (this.count === 0) this.size = 0;
  }

  private grow(): void {
    const cap = this.names.length;
    const names = new Array<string | null>(cap * 2).fill(null);
    const values = new Array<string>(cap * 2).fill('');
    const sizes = new Float64Array(cap * 2);
    const nameOctets = new Float64Array(cap * 2);
    for (let i = 0; i < this.count; i++) {
      const s = this.slot(i);
      names[i] = this.names[s] ?? null;
      values[i] = this.values[s] ?? '';
      sizes[i] = this.sizes[s]!;
      nameOctets[i] = this.nameOctets[s]!;
    }
    this.names = names;
    this.values = values;
    this.sizes = sizes;
    this.nameOctets = nameOctets;
    this.head = 0;
  }
}

function push(out: HeaderList, name: string, value: string): void {
  if (out.length < MAX_FIELDS * 2) out.push(name, value);
}
