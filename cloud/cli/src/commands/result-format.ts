import type { Cell, ColumnInfo, RunEvent } from '@nixie/client';

/** Output formats of `nixie run`. */
export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

type Write = (s: string) => void;

/** Pixie-style cell text: upids and strings as they are, times as ISO, numbers as JS prints them. */
export function cellText(c: Cell, col?: ColumnInfo): string {
  if (c === null) return '';
  if (col?.type === 'TIME64NS' && typeof c === 'number') return new Date(c / 1e6).toISOString();
  return String(c);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Turns the run's event stream into output. json and csv stream line by line (json: one object per
 * row with `_table`; csv: a header per table, `_table` as the first column); table collects each
 * output and prints it aligned when it is complete.
 */
export class ResultPrinter {
  private columns = new Map<string, readonly ColumnInfo[]>();
  private pending = new Map<string, Cell[][]>();
  private printedTables = 0;

  constructor(
    private readonly format: OutputFormat,
    private readonly write: Write,
  ) {}

  /** Feeds one event. */
  onEvent(ev: RunEvent): void {
    if (ev.type === 'table') {
      this.flushTables();
      this.columns.set(ev.table, ev.columns);
      if (this.format === 'csv') {
        if (this.printedTables++ > 0) this.write('\n');
        this.write(['_table', ...ev.columns.map((c) => c.name)].map(csvField).join(',') + '\n');
      }
      if (this.format === 'table') this.pending.set(ev.table, []);
      return;
    }
    if (ev.type !== 'rows') return;
    const cols = this.columns.get(ev.table) ?? [];
    switch (this.format) {
      case 'json':
        for (const r of ev.rows) {
          const o: Record<string, Cell> = { _table: ev.table };
          cols.forEach((c, i) => (o[c.name] = r[i] ?? null));
          this.write(JSON.stringify(o) + '\n');
        }
        return;
      case 'csv':
        for (const r of ev.rows) this.write([ev.table, ...cols.map((c, i) => cellText(r[i] ?? null, c))].map(csvField).join(',') + '\n');
        return;
      case 'table':
        this.pending.get(ev.table)?.push(...ev.rows.map((r) => [...r]));
    }
  }

  /** Prints what is still held (table format). */
  finish(): void {
    this.flushTables();
  }

  private flushTables(): void {
    if (this.format !== 'table') return;
    for (const [name, rows] of this.pending) {
      const cols = this.columns.get(name) ?? [];
      if (this.printedTables++ > 0) this.write('\n');
      this.write(`${name} (${rows.length} row${rows.length === 1 ? '' : 's'})\n`);
      const header = cols.map((c) => c.name.toUpperCase());
      const text = rows.map((r) => cols.map((c, i) => cellText(r[i] ?? null, c).replace(/\s+/g, ' ')));
      // Long bodies would make every row wrap: cut cells for the terminal view (json/csv keep them whole).
      const cut = text.map((r) => r.map((s) => (s.length > 60 ? `${s.slice(0, 57)}...` : s)));
      const widths = header.map((h, i) => Math.max(h.length, ...cut.map((r) => r[i]!.length)));
      for (const r of [header, ...cut]) this.write(r.map((s, i) => s.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
    }
    this.pending.clear();
  }
}
