import type { Column, RowBatch } from '../column.js';
import type { TableSchema } from '../types.js';
import { createBuilder, NumberBuilder, StringBuilder, type ColumnBuilder } from './builders.js';
import { compileRowAppender, type RowAppender } from './row-appender.js';

/** Rows appended together, sealed when full; the unit of eviction. */
class Chunk {
  /**
   * The builders grouped by class, with their column indices: appendValues loops over each group, so every
   * call site sees one builder class (a loop over all columns is megamorphic and several times slower).
   */
  readonly nums: NumberBuilder[] = [];
  readonly numIdx: number[] = [];
  readonly strs: StringBuilder[] = [];
  readonly strIdx: number[] = [];
  readonly others: ColumnBuilder[] = [];
  readonly otherIdx: number[] = [];
  /** The time_ column, if the table has one. */
  readonly time: NumberBuilder | undefined;
  rows = 0;
  /**
   * Rows the chunk was sized for: it is sealed when they are filled (or at the table's byte limit), so its arrays
   * are not regrown. The table's first chunks are small and each doubles the last (see Table.newChunk).
   */
  capacity = 0;
  minTime = Infinity;
  maxTime = -Infinity;
  sealed = false;
  sealedBytes = 0;
  /**
   * Set once a view of this chunk's memory has been handed out (scan, takeUnpublished). A consumer may hold
   * a view for as long as it likes, so the memory of a viewed chunk is never reused: it goes to the GC.
   */
  viewed = false;
  /** Set when its builders were handed to a newer chunk: nothing may read them through this one any more. */
  recycled = false;
  constructor(
    readonly builders: ColumnBuilder[],
    readonly firstSeq: number,
    timeIndex: number,
  ) {
    builders.forEach((b, i) => {
      if (b instanceof NumberBuilder) {
        this.nums.push(b);
        this.numIdx.push(i);
      } else if (b instanceof StringBuilder) {
        this.strs.push(b);
        this.strIdx.push(i);
      } else {
        this.others.push(b);
        this.otherIdx.push(i);
      }
    });
    this.time = timeIndex >= 0 ? (builders[timeIndex] as NumberBuilder) : undefined;
  }
  get bytes(): number {
    if (this.sealed) return this.sealedBytes;
    let b = 0;
    for (const c of this.builders) b += c.bytes;
    return b;
  }
  seal(): void {
    this.sealedBytes = this.bytes;
    for (const c of this.builders) c.trim();
    this.sealed = true;
  }
}

/** How big the next chunk's arrays should be: the last sealed chunk's fill, with a little room. */
interface Sizing {
  rows: number;
  dataBytes: number[];
  /**
   * More than 1: the chunk was sealed because it filled the rows it was sized for, under the table's limits, and
   * the next one has this many times its rows (at most 2).
   */
  grow: number;
}

/** Rows of a table's first chunk. */
const FIRST_CHUNK_ROWS = 1024;

export interface ScanOptions {
  /** Inclusive lower bound on time_ (ns). */
  startTime?: number;
  /** Exclusive upper bound on time_ (ns). */
  endTime?: number;
  /** Column names to return, in this order; all by default. */
  columns?: readonly string[];
}

export interface TableStats {
  rows: number;
  bytes: number;
  budgetBytes: number;
  rowsIn: number;
  rowsEvicted: number;
  rowsUnpublishedLost: number;
  /** Chunks whose memory was reused for newer rows (evicted chunks no view had been taken of). */
  chunksRecycled: number;
}

export type RowInput = Readonly<Record<string, unknown>>;

/**
 * A bounded columnar table. Rows go into the active chunk; a full chunk is sealed, and the oldest
 * chunks are evicted while the table is over its byte budget. Scans return views, not copies, of
 * chunks wholly inside the time range.
 *
 * Memory: an evicted chunk's arrays are reused for the next chunk unless a view of them was ever handed
 * out, so that a table at its budget appends into memory already paged in (first-touch page faults of
 * fresh memory cost about as much as the rest of an append).
 */
export class Table {
  private chunks: Chunk[] = [];
  private active: Chunk;
  private nextSeq = 0;
  private publishedSeq = 0;
  private readonly timeIndex: number;
  private readonly rowAppender: RowAppender;
  private readonly chunkBytes: number;
  private readonly chunkRows: number;
  private rowsIn = 0;
  private rowsEvicted = 0;
  private rowsUnpublishedLost = 0;
  private chunksRecycled = 0;
  private sealedBytes = 0;

  constructor(
    readonly schema: TableSchema,
    readonly budgetBytes: number,
  ) {
    this.timeIndex = schema.columns.findIndex((c) => c.name === 'time_');
    this.rowAppender = compileRowAppender(schema);
    // Chunks of at most 1/32 of the budget (and 16 MiB) keep the table within a few % of it.
    this.chunkBytes = Math.max(4096, Math.min(16 * 1024 * 1024, Math.floor(budgetBytes / 32)));
    this.chunkRows = 65536;
    this.active = this.newChunk(undefined);
  }

  /**
   * A new active chunk, sized like the last sealed one so that steady appends do not regrow arrays; on the
   * builders of an evicted chunk when there are some. A table's first chunk has FIRST_CHUNK_ROWS rows and each
   * next one twice the last until the table's limits: a new table's rows are copied once, not again each time
   * growing arrays double (in a fresh agent at 5 k requests/s, regrowing http_events' arrays was ~15 % of the
   * agent's work per drain).
   */
  private newChunk(sizing: Sizing | undefined, spare?: ColumnBuilder[]): Chunk {
    const grow = sizing !== undefined && sizing.grow > 1;
    const rows = !sizing ? FIRST_CHUNK_ROWS : Math.min(this.chunkRows, grow ? Math.floor(sizing.rows * sizing.grow) : Math.ceil(sizing.rows * 1.05) + 16);
    // Growing: 1/16 more bytes than the rows' share, for values that grow a little (trim() keeps up to 1/8 more).
    const bytes = (i: number) => Math.ceil(sizing!.dataBytes[i]! * (grow ? sizing!.grow * (1 + 1 / 16) : 1.05)) + 256;
    let builders: ColumnBuilder[];
    if (sizing && spare) {
      builders = spare;
      // Room for what the last chunk held is enough: asking for the margin too would replace them half the time.
      for (let i = 0; i < builders.length; i++) builders[i]!.reserve(grow ? rows : sizing.rows, grow ? bytes(i) : sizing.dataBytes[i]!);
      this.chunksRecycled++;
    } else {
      builders = this.schema.columns.map((c, i) => createBuilder(c, rows, sizing ? bytes(i) : undefined));
    }
    const c = new Chunk(builders, this.nextSeq, this.timeIndex);
    c.capacity = rows;
    this.chunks.push(c);
    return c;
  }

  /** Appends one row given as an object keyed by column name; missing columns get zero or ''. */
  appendRow(row: RowInput): void {
    const c = this.active;
    this.rowAppender(row, c.builders);
    this.afterAppendOne(c);
  }

  /** Appends one row given as values in schema order. */
  appendValues(values: readonly unknown[]): void {
    const c = this.active;
    const nums = c.nums;
    const numIdx = c.numIdx;
    for (let k = 0; k < nums.length; k++) nums[k]!.appendValue(values[numIdx[k]!]);
    const strs = c.strs;
    const strIdx = c.strIdx;
    for (let k = 0; k < strs.length; k++) strs[k]!.appendValue(values[strIdx[k]!]);
    const others = c.others;
    const otherIdx = c.otherIdx;
    for (let k = 0; k < others.length; k++) others[k]!.appendValue(values[otherIdx[k]!]);
    this.afterAppendOne(c);
  }

  /** Appends every row of a batch whose columns are in this table's schema order. */
  appendBatch(batch: RowBatch): void {
    let from = 0;
    while (from < batch.length) {
      const chunk = this.active;
      const room = chunk.capacity - chunk.rows;
      const to = Math.min(batch.length, from + Math.max(1, Math.min(room, 4096)));
      const b = chunk.builders;
      for (let i = 0; i < b.length; i++) b[i]!.appendFrom(batch.columns[i]!, from, to);
      const n = to - from;
      const tb = chunk.time;
      if (tb) {
        for (let i = tb.length - n; i < tb.length; i++) {
          const t = tb.at(i);
          if (t < chunk.minTime) chunk.minTime = t;
          if (t > chunk.maxTime) chunk.maxTime = t;
        }
      }
      chunk.rows += n;
      this.nextSeq += n;
      this.rowsIn += n;
      if (chunk.rows >= chunk.capacity || chunk.bytes >= this.chunkBytes) this.rotate();
      from = to;
    }
  }

  private afterAppendOne(chunk: Chunk): void {
    const tb = chunk.time;
    if (tb) {
      const t = tb.at(tb.length - 1);
      if (t < chunk.minTime) chunk.minTime = t;
      if (t > chunk.maxTime) chunk.maxTime = t;
    }
    const rows = ++chunk.rows;
    this.nextSeq++;
    this.rowsIn++;
    // Summing the columns' bytes is a loop over every builder: every 64 rows is close enough.
    if ((rows & 63) === 0 || rows >= chunk.capacity) {
      if (rows >= chunk.capacity || chunk.bytes >= this.chunkBytes) this.rotate();
    }
  }

  private rotate(): void {
    const sealed = this.active;
    sealed.seal();
    this.sealedBytes += sealed.sealedBytes;
    // Sealed because it filled its rows, under the table's limits: a young table, whose next chunk has up to twice
    // the rows, as many as the byte limit allows.
    const young = sealed.rows >= sealed.capacity && sealed.capacity < this.chunkRows && sealed.sealedBytes < this.chunkBytes;
    const grow = young ? Math.min(2, this.chunkBytes / Math.max(1, sealed.sealedBytes)) : 1;
    const sizing = { rows: sealed.rows, dataBytes: sealed.builders.map((b) => b.dataBytes), grow };
    // Evict before the next chunk exists, so that it can take over the arrays of a chunk evicted now.
    this.active = this.newChunk(sizing, this.evict());
  }

  /** Evicts the oldest chunks while over budget; returns the emptied builders of one that was never viewed. */
  private evict(): ColumnBuilder[] | undefined {
    let spare: ColumnBuilder[] | undefined;
    while (this.chunks.length > 0 && this.sealedBytes > this.budgetBytes) {
      const old = this.chunks.shift()!;
      this.sealedBytes -= old.sealedBytes;
      this.rowsEvicted += old.rows;
      const unpublished = old.firstSeq + old.rows - this.publishedSeq;
      if (unpublished > 0) {
        this.rowsUnpublishedLost += Math.min(unpublished, old.rows);
        this.publishedSeq = old.firstSeq + old.rows;
      }
      if (!old.viewed && spare === undefined) {
        old.recycled = true;
        for (const b of old.builders) b.reset();
        spare = old.builders;
      }
    }
    return spare;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.sealedBytes + this.active.bytes;
  }

  get rowCount(): number {
    let n = 0;
    for (const c of this.chunks) n += c.rows;
    return n;
  }

  stats(): TableStats {
    return {
      rows: this.rowCount,
      bytes: this.bytes,
      budgetBytes: this.budgetBytes,
      rowsIn: this.rowsIn,
      rowsEvicted: this.rowsEvicted,
      rowsUnpublishedLost: this.rowsUnpublishedLost,
      chunksRecycled: this.chunksRecycled,
    };
  }

  private projection(columns?: readonly string[]): { schema: TableSchema; idx: number[] } {
    if (!columns) return { schema: this.schema, idx: this.schema.columns.map((_, i) => i) };
    const idx = columns.map((name) => {
      const i = this.schema.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new Error(`table ${this.schema.name} has no column ${name}`);
      return i;
    });
    return { schema: { ...this.schema, columns: idx.map((i) => this.schema.columns[i]!) }, idx };
  }

  /** Batches of rows with start <= time_ < end, oldest first. */
  *scan(opts: ScanOptions = {}): Generator<RowBatch> {
    const start = opts.startTime ?? -Infinity;
    const end = opts.endTime ?? Infinity;
    const { schema, idx } = this.projection(opts.columns);
    // Copy the list: a consumer may append while iterating.
    for (const chunk of [...this.chunks]) {
      // Evicted and reused for newer rows while this scan waited: its rows are gone.
      if (chunk.recycled) continue;
      const rows = chunk.rows;
      if (rows === 0) continue;
      if (this.timeIndex < 0 || (chunk.minTime >= start && chunk.maxTime < end)) {
        chunk.viewed = true;
        yield { schema, length: rows, columns: idx.map((i) => sliceView(chunk.builders[i]!.view(), rows)) };
        continue;
      }
      if (chunk.maxTime < start || chunk.minTime >= end) continue;
      // Read here and copied by gather: no view leaves, so the chunk stays reusable.
      const times = (chunk.builders[this.timeIndex]!.view() as { values: Float64Array }).values;
      const sel = new Uint32Array(rows);
      let n = 0;
      for (let i = 0; i < rows; i++) {
        const t = times[i]!;
        if (t >= start && t < end) sel[n++] = i;
      }
      if (n === 0) continue;
      yield { schema, length: n, columns: idx.map((i) => chunk.builders[i]!.gather(sel, n)) };
    }
  }

  /** Rows appended since the last call, as batches (views); rows evicted before publication are counted. */
  takeUnpublished(): RowBatch[] {
    const out: RowBatch[] = [];
    for (const chunk of this.chunks) {
      const endSeq = chunk.firstSeq + chunk.rows;
      if (endSeq <= this.publishedSeq) continue;
      const from = Math.max(0, this.publishedSeq - chunk.firstSeq);
      const to = chunk.rows;
      chunk.viewed = true;
      out.push({
        schema: this.schema,
        length: to - from,
        columns: chunk.builders.map((b) => sliceRange(b.view(), from, to)),
      });
    }
    this.publishedSeq = this.nextSeq;
    return out;
  }

  /**
   * Marks the rows appended since the last takeUnpublished as published without handing them out: for when
   * nobody listens. Unlike takeUnpublished it makes no views, so the chunks' memory stays reusable.
   */
  skipUnpublished(): void {
    this.publishedSeq = this.nextSeq;
  }
}

function sliceView(col: Column, rows: number): Column {
  return sliceRange(col, 0, rows);
}

/** A view of rows [from, to) of a column; string offsets stay absolute into the shared bytes. */
export function sliceRange(col: Column, from: number, to: number): Column {
  switch (col.type) {
    case 'STRING':
      if (from === 0) return { type: col.type, bytes: col.bytes, offsets: col.offsets.subarray(0, to + 1) };
      return { type: col.type, bytes: col.bytes, offsets: col.offsets.subarray(from, to + 1) };
    case 'UINT128':
      return { type: col.type, high: col.high.subarray(from, to), low: col.low.subarray(from, to) };
    default:
      return { type: col.type, values: col.values.subarray(from, to) } as Column;
  }
}
