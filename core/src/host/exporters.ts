import { batchToObjects, type RowBatch } from '../column.js';
import type { Exporter, ExporterStats } from './interfaces.js';

/** Keeps every row it is given, as objects; the test double for exporters. */
export class InMemoryExporter implements Exporter {
  readonly rows: Array<{ table: string; row: Record<string, unknown> }> = [];
  private exported = 0;
  constructor(
    readonly name = 'in-memory',
    readonly tables: readonly string[] = [],
  ) {}
  async start(): Promise<void> {}
  export(table: string, batch: RowBatch): void {
    for (const row of batchToObjects(batch)) this.rows.push({ table, row });
    this.exported += batch.length;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
  stats(): ExporterStats {
    return { exported: this.exported, dropped: 0, failed: 0, queued: 0 };
  }
}

/** Accepts rows and does nothing with them. */
export class NoopExporter implements Exporter {
  readonly name = 'noop';
  readonly tables: readonly string[] = [];
  async start(): Promise<void> {}
  export(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
  stats(): ExporterStats {
    return { exported: 0, dropped: 0, failed: 0, queued: 0 };
  }
}
