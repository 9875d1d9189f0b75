import { byteHeap, type Decoder, type Frame, type MessageType, type ParseContext } from '@nixie/core';

/** Stream buffers live in the byte heap: a WebAssembly decoder (HTTP/1) parses them where they lie. */
const heap = byteHeap();
const NO_BYTES = Buffer.alloc(0);
/** A stream's first buffer: most connections' messages fit. */
const FIRST_BYTES = 4096;

/** Settings of one direction's buffer. */
export interface DataStreamOptions {
  /** Most bytes buffered (contiguous + out of order); beyond it the head is dropped and the stream resyncs. */
  readonly maxBytes: number;
  /** An incomplete frame at the head while newer bytes keep arriving for this long (ns): give up on it. */
  readonly stuckNs: number;
  /** Process calls a gap may survive before it is skipped (out-of-order events arrive within a drain or two). */
  readonly gapPatience: number;
  /** One datagram per event; each is parsed alone (DNS over UDP). */
  readonly datagram: boolean;
}

export const DEFAULT_STREAM_OPTIONS: DataStreamOptions = Object.freeze({
  maxBytes: 1024 * 1024,
  stuckNs: 2_000_000_000,
  gapPatience: 2,
  datagram: false,
});

/** Counters a stream keeps for the agent's health report. */
export interface StreamCounters {
  /** Frames parsed. */
  frames: number;
  /** parseFrame said `invalid` (or misbehaved). */
  invalid: number;
  /** Bytes thrown away: gaps skipped, heads dropped over the limit, junk before a boundary. */
  bytesDropped: number;
  /** Gaps in positions skipped. */
  gapsSkipped: number;
  /** Times the stream searched for a frame boundary (after a gap, junk, a stuck frame or the limit). */
  resyncs: number;
}

/** Copies src[from..from+len) to dst at `at`: Buffer#copy, no view object (subarray) per event. */
function copyBytes(src: Uint8Array, from: number, len: number, dst: Buffer, at: number): void {
  if (Buffer.isBuffer(src)) src.copy(dst, at, from, from + len);
  else dst.set(src.subarray(from, from + len), at);
}

interface Pending {
  pos: number;
  bytes: Buffer;
  tsNs: number;
}

/**
 * One direction of a connection's bytes, addressed by stream position. Events are placed by position:
 * contiguous ones are appended, early ones wait in a small sorted list, duplicates are ignored. Each
 * appended event leaves one (position, timestamp) pair, from which a frame's startNs/endNs are read.
 */
export class DataStream {
  private data: Buffer;
  /** Where data[0] lies in the byte heap (-1: data is a plain Buffer, the heap being full or off). */
  private base: number;
  private start = 0;
  private end = 0;
  /** Stream position of data[start]. */
  private headPos = 0;
  private started = false;
  /**
   * No byte was taken from the stream since it started (parsed, skipped or dropped): an event from before its
   * first position can still be put in front (events of one connection may reach the ring out of order).
   */
  private untouched = true;
  private segPos: Float64Array;
  private segTs: Float64Array;
  private segHead = 0;
  private segLen = 0;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private gapAge = 0;
  private needResync = false;
  private datagrams: Pending[] = [];
  private newestTs = 0;
  /** The protocol ended on this stream (eos): bytes are dropped from now on. */
  ended = false;
  readonly counters: StreamCounters = { frames: 0, invalid: 0, bytesDropped: 0, gapsSkipped: 0, resyncs: 0 };
  /** Handed to parseFrame: the capture time of the head byte (one object per stream, refilled per call). */
  private readonly ctx: ParseContext = { startNs: 0, heapOffset: -1 };

  constructor(private readonly opts: DataStreamOptions = DEFAULT_STREAM_OPTIONS) {
    this.data = opts.datagram ? NO_BYTES : heap.alloc(Math.min(FIRST_BYTES, opts.maxBytes));
    this.base = heap.offsetOf(this.data);
    // 8 segments to start: 64 bytes, which V8 keeps on its heap; a larger typed array gets a malloc'd store that
    // young-generation GC must sweep, per connection (replay with short connections: malloc and sweeping ~7%).
    this.segPos = new Float64Array(8);
    this.segTs = new Float64Array(8);
  }

  /** Bytes held (contiguous, out of order, or datagrams). */
  get bufferedBytes(): number {
    return this.end - this.start + this.pendingBytes;
  }

  /** Whether bytes wait beyond a gap. */
  get hasGap(): boolean {
    return this.pending.length > 0;
  }

  /** Stream position just past the last contiguous byte. */
  get endPos(): number {
    return this.headPos + (this.end - this.start);
  }

  /**
   * Adds the bytes src[from..from+len) captured at `tsNs` (epoch ns), whose first byte is at stream
   * position `pos`. Copies: src may be a view of memory that is reused after this call. srcHeapBase: where
   * src[0] lies in the byte heap, if it does (-1 if not): the copy is then one memory.copy (heap.move).
   */
  append(pos: number, src: Uint8Array, from: number, len: number, tsNs: number, srcHeapBase = -1): void {
    if (this.ended || len <= 0) return;
    if (tsNs > this.newestTs) this.newestTs = tsNs;
    if (this.opts.datagram) {
      if (this.pendingBytes + len > this.opts.maxBytes) {
        this.counters.bytesDropped += len;
        return;
      }
      this.datagrams.push({ pos, bytes: Buffer.from(src.subarray(from, from + len)), tsNs });
      this.pendingBytes += len;
      return;
    }
    if (!this.started) {
      this.started = true;
      this.untouched = true;
      this.headPos = pos;
    } else if (pos < this.headPos && this.untouched) {
      this.restartAt(pos);
    }
    const endPos = this.endPos;
    if (pos + len <= endPos) return; // already have these bytes
    if (pos > endPos) {
      this.hold(pos, src, from, len, tsNs);
      return;
    }
    const skip = endPos - pos;
    this.put(endPos, src, from + skip, len - skip, tsNs, srcHeapBase);
    this.mergePending();
    this.enforceLimit();
  }

  /**
   * Moves the start back to `pos`, before every byte held: those wait as out-of-order events (one per segment,
   * with its capture time) until the bytes from `pos` reach them. Only while nothing was taken (untouched).
   */
  private restartAt(pos: number): void {
    for (let k = 0; k < this.segLen; k++) {
      const i = this.segHead + k;
      const from = this.segPos[i]! - this.headPos + this.start;
      const to = k + 1 < this.segLen ? this.segPos[i + 1]! - this.headPos + this.start : this.end;
      if (to <= from) continue;
      this.pending.push({ pos: this.segPos[i]!, bytes: Buffer.from(this.data.subarray(from, to)), tsNs: this.segTs[i]! });
      this.pendingBytes += to - from;
    }
    this.pending.sort((a, b) => a.pos - b.pos);
    this.start = this.end = 0;
    this.segHead = this.segLen = 0;
    this.headPos = pos;
  }

  private put(pos: number, src: Uint8Array, from: number, len: number, tsNs: number, srcHeapBase = -1): void {
    if (this.end + len > this.data.length) this.makeRoom(len);
    if (srcHeapBase >= 0 && this.base >= 0) heap.move(this.base + this.end, srcHeapBase + from, len);
    else copyBytes(src, from, len, this.data, this.end);
    if (this.start === this.end) this.headPos = pos;
    this.end += len;
    this.pushSegment(pos, tsNs);
  }

  private hold(pos: number, src: Uint8Array, from: number, len: number, tsNs: number): void {
    const p: Pending = { pos, bytes: Buffer.from(src.subarray(from, from + len)), tsNs };
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.pos > pos) i--;
    this.pending.splice(i, 0, p);
    this.pendingBytes += len;
    this.enforceLimit();
  }

  private mergePending(): void {
    while (this.pending.length > 0) {
      const p = this.pending[0]!;
      const endPos = this.endPos;
      if (p.pos > endPos) break;
      this.pending.shift();
      this.pendingBytes -= p.bytes.length;
      const skip = endPos - p.pos;
      if (skip < p.bytes.length) this.put(endPos, p.bytes, skip, p.bytes.length - skip, p.tsNs);
    }
    if (this.pending.length === 0) this.gapAge = 0;
  }

  /** Skips the gap before the first waiting event: the partial frame at the head cannot complete. */
  private skipGap(): void {
    const p = this.pending[0];
    if (!p) return;
    this.counters.gapsSkipped++;
    this.untouched = false;
    this.counters.bytesDropped += this.end - this.start;
    this.start = this.end = 0;
    this.segHead = this.segLen = 0;
    this.headPos = p.pos;
    this.needResync = true;
    this.gapAge = 0;
    this.mergePending();
  }

  private enforceLimit(): void {
    while (this.bufferedBytes > this.opts.maxBytes) {
      if (this.pending.length > 0 && this.end - this.start <= this.pendingBytes) {
        this.skipGap();
        continue;
      }
      // Drop the older half of the contiguous bytes; what is left starts mid-frame, so resync.
      const live = this.end - this.start;
      const drop = Math.max(live - (this.opts.maxBytes >> 1), 1);
      this.consume(Math.min(drop, live));
      this.counters.bytesDropped += Math.min(drop, live);
      this.needResync = true;
      if (live === 0) break;
    }
  }

  private makeRoom(len: number): void {
    const live = this.end - this.start;
    if (this.start > 0 && live + len <= this.data.length) {
      if (this.base >= 0) heap.move(this.base, this.base + this.start, live);
      else this.data.copyWithin(0, this.start, this.end);
    } else {
      let cap = Math.max(this.data.length * 2, 4096);
      while (cap < live + len) cap *= 2;
      const next = heap.alloc(cap);
      const nextBase = heap.offsetOf(next);
      if (this.base >= 0 && nextBase >= 0) heap.move(nextBase, this.base + this.start, live);
      else this.data.copy(next, 0, this.start, this.end);
      heap.release(this.data);
      this.data = next;
      this.base = nextBase;
    }
    this.start = 0;
    this.end = live;
  }

  private pushSegment(pos: number, tsNs: number): void {
    if (this.segHead + this.segLen === this.segPos.length) {
      if (this.segHead > 0) {
        this.segPos.copyWithin(0, this.segHead, this.segHead + this.segLen);
        this.segTs.copyWithin(0, this.segHead, this.segHead + this.segLen);
        this.segHead = 0;
      } else {
        const np = new Float64Array(this.segPos.length * 2);
        const nt = new Float64Array(this.segPos.length * 2);
        np.set(this.segPos);
        nt.set(this.segTs);
        this.segPos = np;
        this.segTs = nt;
      }
    }
    const i = this.segHead + this.segLen++;
    this.segPos[i] = pos;
    this.segTs[i] = tsNs;
  }

  /** Capture time of the byte at stream position `pos` (which must be buffered). */
  private timeAt(pos: number): number {
    let i = this.segHead;
    const last = this.segHead + this.segLen - 1;
    while (i < last && this.segPos[i + 1]! <= pos) i++;
    return this.segTs[i] ?? 0;
  }

  private consume(n: number): void {
    if (n > 0) this.untouched = false;
    this.start += n;
    this.headPos += n;
    if (this.start === this.end) {
      this.start = this.end = 0;
      this.segHead = this.segLen = 0;
      return;
    }
    // Keep the segment holding the new head byte; drop older ones.
    while (this.segLen > 1 && this.segPos[this.segHead + 1]! <= this.headPos) {
      this.segHead++;
      this.segLen--;
    }
  }

  /**
   * Parses as many frames as the buffer holds, appending them to `out` with startNs/endNs set.
   * Handles invalid bytes (resync at the next boundary), stuck frames, gaps and end of stream.
   * Returns the number of frames added.
   */
  parse<F extends Frame, S>(decoder: Decoder<F, S>, type: MessageType, state: S, out: F[]): number {
    if (this.opts.datagram) return this.parseDatagrams(decoder, type, state, out);
    if (this.pending.length > 0 && ++this.gapAge > this.opts.gapPatience) this.skipGap();
    let n = 0;
    // A decoder that reads the heap itself gets offsets, not a view per call (views are made for resyncs only).
    const inHeap = decoder.parseFrameInHeap !== undefined && this.base >= 0;
    while (!this.ended && this.end > this.start) {
      const length = this.end - this.start;
      if (this.needResync) {
        this.needResync = false;
        if (!this.resync(decoder, type, state, this.view(), 0)) break;
        continue;
      }
      this.ctx.startNs = this.timeAt(this.headPos);
      this.ctx.heapOffset = this.base < 0 ? -1 : this.base + this.start;
      const r = inHeap
        ? decoder.parseFrameInHeap!(type, this.base + this.start, length, state, this.ctx)
        : decoder.parseFrame(type, this.view(), state, this.ctx);
      if (r.kind === 'success' || r.kind === 'ignored') {
        const c = r.consumed;
        if (!(c > 0) || c > length) {
          // A decoder that consumes nothing would loop forever; treat it as junk.
          this.counters.invalid++;
          if (!this.resync(decoder, type, state, this.view(), 1)) break;
          continue;
        }
        if (r.kind === 'success') {
          r.frame.startNs = this.ctx.startNs;
          r.frame.endNs = this.timeAt(this.headPos + c - 1);
          out.push(r.frame);
          this.counters.frames++;
          n++;
        }
        this.consume(c);
      } else if (r.kind === 'needs-more-data') {
        // Newer bytes keep coming yet the head frame never completes: it is lost (e.g. a missed byte).
        if (this.newestTs - this.timeAt(this.headPos) > this.opts.stuckNs) {
          if (!this.resync(decoder, type, state, this.view(), 1)) break;
          continue;
        }
        break;
      } else if (r.kind === 'invalid') {
        this.counters.invalid++;
        if (!this.resync(decoder, type, state, this.view(), 1)) break;
      } else {
        this.ended = true;
        this.dropAll();
      }
    }
    return n;
  }

  /** The contiguous bytes, as a view. */
  private view(): Buffer {
    return this.data.subarray(this.start, this.end);
  }

  /**
   * Moves the head to the next frame boundary at or after `from`; drops everything if there is none. Bytes were
   * lost (a gap, the limit, junk): the decoder's onGap drops state that depended on them (HPACK tables).
   */
  private resync<F extends Frame, S>(decoder: Decoder<F, S>, type: MessageType, state: S, view: Uint8Array, from: number): boolean {
    this.counters.resyncs++;
    decoder.onGap?.(type, state);
    const at = from < view.length ? decoder.findFrameBoundary(type, view, from) : -1;
    if (at < 0 || at >= view.length) {
      this.counters.bytesDropped += view.length;
      this.consume(view.length);
      return false;
    }
    this.counters.bytesDropped += at;
    this.consume(at);
    return true;
  }

  private parseDatagrams<F extends Frame, S>(decoder: Decoder<F, S>, type: MessageType, state: S, out: F[]): number {
    let n = 0;
    for (const d of this.datagrams) {
      this.ctx.startNs = d.tsNs;
      this.ctx.heapOffset = -1;
      const r = decoder.parseFrame(type, d.bytes, state, this.ctx);
      if (r.kind === 'success') {
        r.frame.startNs = d.tsNs;
        r.frame.endNs = d.tsNs;
        out.push(r.frame);
        this.counters.frames++;
        n++;
      } else if (r.kind === 'invalid' || r.kind === 'needs-more-data') {
        this.counters.invalid++;
        this.counters.bytesDropped += d.bytes.length;
      } else if (r.kind === 'eos') {
        this.ended = true;
        break;
      }
    }
    this.datagrams.length = 0;
    this.pendingBytes = 0;
    return n;
  }

  /**
   * Makes the stream as new, for another connection (the agent keeps streams of closed connections for the next
   * ones: connections that come and go would otherwise cost an allocation of each stream and its arrays, and
   * their copying by the young-generation GC). Keeps its buffer unless it grew past its first size.
   */
  reset(): void {
    this.dropAll();
    if (!this.opts.datagram && this.data.length > FIRST_BYTES) {
      heap.release(this.data);
      this.data = heap.alloc(Math.min(FIRST_BYTES, this.opts.maxBytes));
      this.base = heap.offsetOf(this.data);
    }
    this.headPos = 0;
    this.untouched = true;
    this.gapAge = 0;
    this.needResync = false;
    this.newestTs = 0;
    this.ended = false;
    const c = this.counters;
    c.frames = c.invalid = c.bytesDropped = c.gapsSkipped = c.resyncs = 0;
  }

  /** Whether this stream was made with these options (the agent reuses streams of its own options only). */
  hasOptions(opts: DataStreamOptions): boolean {
    return this.opts === opts;
  }

  /** Drops every byte and gives the buffer back to the heap: the stream is not used again (its connection is gone). */
  release(): void {
    this.dropAll();
    this.ended = true;
    heap.release(this.data);
    this.data = NO_BYTES;
    this.base = -1;
  }

  /** Drops every buffered byte (end of stream, or a connection switched off). */
  dropAll(): void {
    this.counters.bytesDropped += this.bufferedBytes;
    this.start = this.end = 0;
    this.segHead = this.segLen = 0;
    this.pending.length = 0;
    this.datagrams.length = 0;
    this.pendingBytes = 0;
    this.started = false;
  }

  /** At close: bytes beyond any gap are all there will be, so skip the gaps and parse what is left. */
  flush<F extends Frame, S>(decoder: Decoder<F, S>, type: MessageType, state: S, out: F[]): number {
    let n = this.parse(decoder, type, state, out);
    while (this.pending.length > 0 && !this.ended) {
      this.skipGap();
      n += this.parse(decoder, type, state, out);
    }
    return n;
  }
}
