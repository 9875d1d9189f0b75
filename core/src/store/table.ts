import type { Column, RowBatch } from '../column.js';
import type { TableSchema } from '../types.js';
import { createBuilder, NumberBuilder, StringBuilder, type ColumnBuilder } from './builders.js';

/** Rows appended together, sealed when full; the unit of eviction. */
class Chunk {
  readonly builders: ColumnBuilder[];
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
  minTime = Infinity;
  maxTime = -Infinity;
  sealed = false;
  sealedBytes = 0;
  constructor(
    schema: TableSchema,
    readonly firstSeq: number,
    capacity: number,
    dataHints?: readonly number[],
  ) {
    this.builders = schema.columns.map((c, i) => createBuilder(c, capacity, dataHints?.[i]));
    this.builders.forEach((b, i) => {
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
  }
  get rows(): number {
    return this.builders[0]!.length;
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
}

export type RowInput = Readonly<Record<string, unknown>>;

/**
 * A bounded columnar table. Rows go into the active chunk; a full chunk is sealed, and the oldest
 * chunks are evicted while the table is over its byte budget. Scans return views, not copies, of
 * chunks wholly inside the time range.
 */
export class Table {
  private chunks: Chunk[] = [];
  private active: Chunk;
  private nextSeq = 0;
  private publishedSeq = 0;
  private readonly timeIndex: number;
  private readonly names: readonly string[];
  private readonly chunkBytes: number;
  private readonly chunkRows: number;
  private rowsIn = 0;
  private rowsEvicted = 0;
  private rowsUnpublishedLost = 0;
  private sealedBytes = 0;

  constructor(
    readonly schema: TableSchema,
    readonly budgetBytes: number,
  ) {
    this.timeIndex = schema.columns.findIndex((c) => c.name === 'time_');
    this.names = schema.columns.map((c) => c.name);
    // Chunks of at most 1/32 of the budget (and 16 MiB) keep the table within a few % of it.
    this.chunkBytes = Math.max(4096, Math.min(16 * 1024 * 1024, Math.floor(budgetBytes / 32)));
    this.chunkRows = 65536;
    this.active = this.newChunk();
  }

  private newChunk(): Chunk {
    // Size a chunk like the last sealed one, so that steady appends do not regrow arrays.
    const last = this.chunks.length ? this.chunks[this.chunks.length - 1]! : undefined;
    const cap = last ? Math.min(this.chunkRows, Math.ceil(last.rows * 1.05) + 16) : 1024;
    const hints = last?.builders.map((b) => Math.ceil(b.dataBytes * 1.05) + 256);
    const c = new Chunk(this.schema, this.nextSeq, cap, hints);
    this.chunks.push(c);
    return c;
  }

  /** Appends one row given as an object keyed by column name; missing columns get zero or ''. */
  appendRow(row: RowInput): void {
    const names = this.names;
    const c = this.active;
    const nums = c.nums;
    const numIdx = c.numIdx;
    for (let k = 0; k < nums.length; k++) nums[k]!.appendValue(row[names[numIdx[k]!]!]);
    const strs = c.strs;
    const strIdx = c.strIdx;
    for (let k = 0; k < strs.length; k++) strs[k]!.appendValue(row[names[strIdx[k]!]!]);
    const others = c.others;
    const otherIdx = c.otherIdx;
    for (let k = 0; k < others.length; k++) others[k]!.appendValue(row[names[otherIdx[k]!]!]);
    this.afterAppend(1);
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
    this.afterAppend(1);
  }

  /** Appends every row of a batch whose columns are in this table's schema order. */
  appendBatch(batch: RowBatch): void {
    let from = 0;
    while (from < batch.length) {
      const room = this.chunkRows - this.active.rows;
      const to = Math.min(batch.length, from + Math.max(1, Math.min(room, 4096)));
      const b = this.active.builders;
      for (let i = 0; i < b.length; i++) b[i]!.appendFrom(batch.columns[i]!, from, to);
      this.afterAppend(to - from);
      from = to;
    }
  }

  private afterAppend(n: number): void {
    const chunk = this.active;
    if (this.timeIndex >= 0) {
      const tb = chunk.builders[this.timeIndex] as NumberBuilder;
      for (let i = tb.length - n; i < tb.length; i++) {
        const t = tb.at(i);
        if (t < chunk.minTime) chunk.minTime = t;
        if (t > chunk.maxTime) chunk.maxTime = t;
      }
    }
    this.nextSeq += n;
    this.rowsIn += n;
    if (chunk.rows >= this.chunkRows || (chunk.rows & 63) === 0 || n > 1) {
      if (chunk.rows >= this.chunkRows || chunk.bytes >= this.chunkBytes) this.rotate();
    }
  }

  private rotate(): void {
    this.active.seal();
    this.sealedBytes += this.active.sealedBytes;
    this.active = this.newChunk();
    this.evict();
  }

  private evict(): void {
    while (this.chunks.length > 1 && this.sealedBytes + this.active.bytes > this.budgetBytes) {
      const old = this.chunks.shift()!;
      this.sealedBytes -= old.sealedBytes;
      this.rowsEvicted += old.rows;
      const unpublished = old.firstSeq + old.rows - this.publishedSeq;
      if (unpublished > 0) {
        this.rowsUnpublishedLost += Math.min(unpublished, old.rows);
        this.publishedSeq = old.firstSeq + old.rows;
      }
    }
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
      const rows = chunk.rows;
      if (rows === 0) continue;
      if (this.timeIndex < 0 || (chunk.minTime >= start && chunk.maxTime < end)) {
        yield { schema, length: rows, columns: idx.map((i) => sliceView(chunk.builders[i]!.view(), rows)) };
        continue;
      }
      if (chunk.maxTime < start || chunk.minTime >= end) continue;
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
      out.push({
        schema: this.schema,
        length: to - from,
        columns: chunk.builders.map((b) => sliceRange(b.view(), from, to)),
      });
    }
    this.publishedSeq = this.nextSeq;
    return out;
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
