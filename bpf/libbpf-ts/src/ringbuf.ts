/**
 * A BPF ring buffer consumer that reads the kernel's memory directly (mmap), in batches, with no copy
 * and no JS object per event: the handler gets the mapped data area, an offsets array and a sizes array.
 *
 * The kernel maps a ring buffer as: one consumer page (read-write; consumer_pos at 0), then one producer
 * page (read-only; producer_pos at 0), then the data pages mapped twice in a row, so that a record that
 * wraps around the end is contiguous in memory. Each record is an 8-byte header (u32 length with the BUSY
 * and DISCARD bits, u32 page offset) followed by the sample, padded to 8 bytes.
 */
import { createBpfError } from './errors.js';
import { BpfMap, MapType } from './map.js';
import { errno, getNative, view, type Ptr } from './native.js';
import { strerror } from './util.js';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HDR = 8;
const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;

/** One batch of events; valid only during the handler call (the memory is then given back to the kernel). */
export interface RingBatch {
  /** The ring's data area; event i is buf[offsets[i] .. offsets[i] + sizes[i]). */
  readonly buf: Buffer;
  readonly offsets: Uint32Array;
  readonly sizes: Uint32Array;
  /** Number of events in this batch (offsets/sizes may be longer). */
  readonly count: number;
}

/** Handles one batch, synchronously. */
export type RingBatchHandler = (batch: RingBatch) => void;

/** Consumer of one BPF_MAP_TYPE_RINGBUF map. */
export class RingBuffer {
  private readonly size: number;
  private readonly page: number;
  private consPtr: Ptr | undefined;
  private prodPtr: Ptr | undefined;
  private readonly consPos: BigUint64Array;
  private readonly prodPos: BigUint64Array;
  private readonly data: Buffer;
  /** The data area as u32 words: record headers are 8-byte aligned, so header i is words[off >>> 2]. */
  private readonly words: Uint32Array;
  private readonly offsets: Uint32Array;
  private readonly sizes: Uint32Array;
  private readonly batch: { buf: Buffer; offsets: Uint32Array; sizes: Uint32Array; count: number };
  private pos: number;
  /** Events handed over since creation. */
  eventsConsumed = 0;
  /** Bytes consumed since creation (records with headers). */
  bytesConsumed = 0;

  /** Maps `map` (a loaded ring buffer); `batchSize` caps the events per handler call. */
  constructor(
    readonly map: BpfMap,
    batchSize = 8192,
  ) {
    if (map.type !== MapType.RINGBUF) throw createBpfError('NIXIE_ERR_BPF_STATE', `map ${map.name}`, 'is not a ring buffer');
    const n = getNative();
    this.size = map.maxEntries;
    this.page = n.getpagesize();
    const cons = n.mmap(null, this.page, PROT_READ | PROT_WRITE, MAP_SHARED, map.fd, 0);
    if (cons === MAP_FAILED) throw createBpfError('NIXIE_ERR_BPF_MAP', map.name, 'mmap (consumer page)', strerror(errno()));
    const prod = n.mmap(null, this.page + 2 * this.size, PROT_READ, MAP_SHARED, map.fd, this.page);
    if (prod === MAP_FAILED) {
      n.munmap(cons, this.page);
      throw createBpfError('NIXIE_ERR_BPF_MAP', map.name, 'mmap (data pages)', strerror(errno()));
    }
    this.consPtr = cons;
    this.prodPtr = prod;
    this.consPos = new BigUint64Array(view(cons, 8));
    this.prodPos = new BigUint64Array(view(prod, 8));
    const dataArea = view(prod + BigInt(this.page), 2 * this.size);
    this.data = Buffer.from(dataArea);
    this.words = new Uint32Array(dataArea);
    this.offsets = new Uint32Array(batchSize);
    this.sizes = new Uint32Array(batchSize);
    this.batch = { buf: this.data, offsets: this.offsets, sizes: this.sizes, count: 0 };
    this.pos = Number(this.consPos[0]);
  }

  /** Ring size in bytes. */
  get capacity(): number {
    return this.size;
  }

  /** Bytes written by the kernel and not yet consumed. */
  get pending(): number {
    if (this.prodPtr === undefined) return 0;
    return Number(this.prodPos[0]) - this.pos;
  }

  /**
   * Hands every available event to `handler`, in batches; returns the number of events.
   * `maxEvents` bounds the work of one call (the rest stays for the next).
   */
  consume(handler: RingBatchHandler, maxEvents = Number.MAX_SAFE_INTEGER): number {
    if (this.prodPtr === undefined) return 0;
    const words = this.words;
    const mask = this.size - 1;
    const offsets = this.offsets;
    const sizes = this.sizes;
    const cap = offsets.length;
    let total = 0;
    let pos = this.pos;
    let prod = Number(this.prodPos[0]);
    let n = 0;
    const start = pos;
    while (total + n < maxEvents) {
      if (pos >= prod) {
        // Re-read once: the producer may have moved while we were working.
        prod = Number(this.prodPos[0]);
        if (pos >= prod) break;
      }
      const off = pos & mask;
      const hdr = words[off >>> 2]!;
      if (hdr & BUSY) break;
      const len = hdr & ~(BUSY | DISCARD) >>> 0;
      if (!(hdr & DISCARD)) {
        offsets[n] = off + HDR;
        sizes[n] = len;
        n++;
      }
      pos += (len + HDR + 7) & ~7;
      if (n === cap) {
        total += this.flush(handler, n, pos);
        n = 0;
      }
    }
    if (n > 0 || pos !== this.pos) total += this.flush(handler, n, pos);
    this.bytesConsumed += pos - start;
    return total;
  }

  private flush(handler: RingBatchHandler, n: number, pos: number): number {
    if (n > 0) {
      this.batch.count = n;
      try {
        handler(this.batch);
      } finally {
        this.batch.count = 0;
        this.commit(pos);
      }
    } else this.commit(pos);
    this.eventsConsumed += n;
    return n;
  }

  private commit(pos: number): void {
    this.pos = pos;
    // A plain 8-byte store; x86-64 gives it release order with respect to our earlier loads.
    this.consPos[0] = BigInt(pos);
  }

  /** Unmaps the ring (the views handed out before become invalid). */
  close(): void {
    const n = getNative();
    if (this.consPtr !== undefined) n.munmap(this.consPtr, this.page);
    if (this.prodPtr !== undefined) n.munmap(this.prodPtr, this.page + 2 * this.size);
    this.consPtr = undefined;
    this.prodPtr = undefined;
  }
}
