import { AsyncSeriesHook, SyncHook, SyncWaterfallHook, HookMap } from 'tapable';
import type { RowBatch } from '../column.js';
import type { Decoder, DecodedRecord } from '../decoder.js';
import type { TableSchema } from '../types.js';
import type { Exporter, MetricSource } from './interfaces.js';

/** Named stages for ordering taps on data-path hooks; gaps leave room. */
export const STAGE = Object.freeze({ FIRST: -100, ENRICH: 0, FILTER: 100, EXPORT: 200, LAST: 1000 } as const);

/** Collects registrations during boot. */
export interface Registry<T> {
  add(item: T): void;
}

export interface LifecycleContext {
  readonly signal: AbortSignal;
}

/** Rows just appended to a table. */
export interface RecordsEvent {
  readonly table: string;
  readonly batch: RowBatch;
}

/** Records a decoder produced for one connection, before they are written to the table. */
export interface DecodedEvent {
  readonly protocol: string;
  readonly records: DecodedRecord[];
}

/** The host's hooks, declared once; their types are inferred from these constructors. */
export function createHooks() {
  return Object.freeze({
    /** Plugins register protocol decoders here (called once at boot). */
    registerDecoders: new SyncHook<[Registry<Decoder>]>(['registry']),
    /** Plugins register metric sources here (called once at boot). */
    registerSources: new SyncHook<[Registry<MetricSource>]>(['registry']),
    /** Plugins register exporters here (called once at boot). */
    registerExporters: new SyncHook<[Registry<Exporter>]>(['registry']),
    /** Plugins declare extra tables here (called once at boot). */
    registerTables: new SyncHook<[Registry<TableSchema>]>(['registry']),
    /** After every plugin is applied and registered. */
    afterBoot: new AsyncSeriesHook<[LifecycleContext]>(['ctx']),
    beforeStart: new AsyncSeriesHook<[LifecycleContext]>(['ctx']),
    afterStart: new AsyncSeriesHook<[LifecycleContext]>(['ctx']),
    beforeStop: new AsyncSeriesHook<[LifecycleContext]>(['ctx']),
    afterStop: new AsyncSeriesHook<[LifecycleContext]>(['ctx']),
    /** Data path, per protocol: rewrite or drop decoded records before they are stored. */
    processRecords: new HookMap((_protocol: string) => new SyncWaterfallHook<[DecodedRecord[]]>(['records'])),
    /** Data path: rows appended to a table (batches). Exporters listen here. */
    onRecords: new SyncHook<[RecordsEvent]>(['event']),
  });
}

export type Hooks = ReturnType<typeof createHooks>;

/** Hooks on the data path: a throwing tap is counted and skipped, never fatal. */
export const DATA_PATH_HOOKS = ['processRecords', 'onRecords'] as const;
