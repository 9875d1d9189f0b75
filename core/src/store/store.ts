import type { RowBatch } from '../column.js';
import { createError } from '../errors.js';
import { DEFAULT_BUDGET_SHARE, TABLES } from '../tables.js';
import type { TableSchema } from '../types.js';
import { Table, type TableStats } from './table.js';

export interface TableStoreOptions {
  /** Total bytes for all tables. */
  budgetBytes: number;
  /** Per-table budget, as a fraction of the total (0..1) or as bytes (> 1). */
  tables?: Readonly<Record<string, number>>;
  /** Schemas to create; core's tables by default. */
  schemas?: Iterable<TableSchema>;
}

/** Called with the rows appended to a table since the last publish. */
export type PublishListener = (table: string, batch: RowBatch) => void;

/** The agent's local tables, each bounded by bytes with oldest-first eviction. */
export class TableStore {
  private readonly tables = new Map<string, Table>();
  private readonly budgets: Map<string, number>;

  constructor(private readonly opts: TableStoreOptions) {
    const schemas = [...(opts.schemas ?? TABLES.values())];
    this.budgets = splitBudget(
      opts.budgetBytes,
      schemas.map((s) => s.name),
      opts.tables ?? {},
    );
    for (const s of schemas) this.tables.set(s.name, new Table(s, this.budgets.get(s.name)!));
  }

  /** Adds a table (e.g. one a plugin declares); its budget is an even share unless configured. */
  addTable(schema: TableSchema): Table {
    const existing = this.tables.get(schema.name);
    if (existing) return existing;
    const configured = this.opts.tables?.[schema.name];
    const budget =
      configured === undefined
        ? Math.floor(this.opts.budgetBytes / (this.tables.size + 1))
        : configured > 1
          ? configured
          : Math.floor(configured * this.opts.budgetBytes);
    const t = new Table(schema, budget);
    this.tables.set(schema.name, t);
    return t;
  }

  /** The table of that name; throws a coded error naming the known tables if absent. */
  table(name: string): Table {
    const t = this.tables.get(name);
    if (!t) throw createError('NIXIE_ERR_STORE_UNKNOWN_TABLE', name, [...this.tables.keys()].join(', '));
    return t;
  }

  has(name: string): boolean {
    return this.tables.has(name);
  }

  schemas(): TableSchema[] {
    return [...this.tables.values()].map((t) => t.schema);
  }

  stats(): Record<string, TableStats> {
    const out: Record<string, TableStats> = {};
    for (const [name, t] of this.tables) out[name] = t.stats();
    return out;
  }

  /**
   * Hands each table's new rows to the listener, in batches. The batches are views of the tables' memory,
   * which is then never reused: with no listener to call, use skipUnpublished.
   */
  publish(listener: PublishListener): void {
    for (const [name, t] of this.tables) {
      for (const b of t.takeUnpublished()) listener(name, b);
    }
  }

  /**
   * Marks every table's new rows published without handing them out, for when nobody listens (no onRecords
   * tap): makes no views, so the tables keep reusing the memory of the chunks they evict.
   */
  skipUnpublished(): void {
    for (const t of this.tables.values()) t.skipUnpublished();
  }
}

/** Budgets per table: configured ones first, Pixie's default shares next, the rest split evenly. */
export function splitBudget(total: number, names: string[], configured: Readonly<Record<string, number>>): Map<string, number> {
  const out = new Map<string, number>();
  let left = total;
  const rest: string[] = [];
  for (const n of names) {
    const c = configured[n] ?? DEFAULT_BUDGET_SHARE[n];
    if (c === undefined) {
      rest.push(n);
      continue;
    }
    const bytes = c > 1 ? c : Math.floor(c * total);
    out.set(n, bytes);
    left -= bytes;
  }
  const each = Math.max(64 * 1024, Math.floor(Math.max(0, left) / Math.max(1, rest.length)));
  for (const n of rest) out.set(n, each);
  return out;
}
