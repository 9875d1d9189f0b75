import type { RowBatch } from '../column.js';
import type { TableStore } from '../store/store.js';
import type { Logger } from '../logger.js';
import type { TableSchema } from '../types.js';

/** What a metric source gets when it starts and each time it collects. */
export interface SourceContext {
  readonly store: TableStore;
  readonly log: Logger;
  /** Wall-clock time of this collection, ns since epoch. */
  readonly nowNs: number;
}

/** A periodic producer of rows (procfs, hsperfdata, the profiler...). */
export interface MetricSource {
  readonly name: string;
  /** Tables it writes; created in the store if core does not know them. */
  readonly tables: readonly TableSchema[];
  /** How often collect runs. */
  readonly periodMs: number;
  start?(ctx: SourceContext): Promise<void>;
  collect(ctx: SourceContext): Promise<void> | void;
  stop?(): Promise<void>;
}

/** Counters every exporter reports; dropped records are counted, never hidden. */
export interface ExporterStats {
  exported: number;
  dropped: number;
  failed: number;
  queued: number;
}

/** A consumer of table rows that sends them to a backend. Lifecycle as in OpenTelemetry's exporters. */
export interface Exporter {
  readonly name: string;
  /** Tables it wants; others are not handed to it. Empty: all. */
  readonly tables: readonly string[];
  start(): Promise<void>;
  /** Takes rows; must not block or throw (queue, count drops). */
  export(table: string, batch: RowBatch): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  stats(): ExporterStats;
}
