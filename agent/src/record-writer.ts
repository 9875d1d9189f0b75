import type { DecodedRecord, PluginHost, Table, TableStore } from '@nixie/core';
import type { ConnTracker } from './conn/conn-tracker.js';

/** Where a column's value comes from. */
const enum Source {
  Record,
  Upid,
  RemoteAddr,
  RemotePort,
  LocalAddr,
  LocalPort,
  TraceRole,
  Encrypted,
}

const SOCKET_SOURCE: Readonly<Record<string, Source>> = {
  upid: Source.Upid,
  remote_addr: Source.RemoteAddr,
  remote_port: Source.RemotePort,
  local_addr: Source.LocalAddr,
  local_port: Source.LocalPort,
  trace_role: Source.TraceRole,
  encrypted: Source.Encrypted,
};

interface Plan {
  table: Table;
  names: string[];
  sources: Source[];
  values: unknown[];
}

type Waterfall = { call(records: DecodedRecord[]): DecodedRecord[]; taps: readonly unknown[] };

/**
 * Writes decoded records into their table with the connection's socket columns, after the
 * processRecords waterfall of their protocol. Column plans are built once per table.
 */
export class RecordWriter {
  private readonly plans = new Map<string, Plan>();
  private readonly hooks = new Map<string, Waterfall>();
  /** Rows written (cumulative). */
  recordsOut = 0;

  constructor(
    private readonly store: TableStore,
    private readonly host: PluginHost,
  ) {}

  private plan(tableName: string): Plan {
    let p = this.plans.get(tableName);
    if (!p) {
      const table = this.store.table(tableName);
      const names = table.schema.columns.map((c) => c.name);
      p = { table, names, sources: names.map((n) => SOCKET_SOURCE[n] ?? Source.Record), values: new Array<unknown>(names.length) };
      this.plans.set(tableName, p);
    }
    return p;
  }

  private hook(protocol: string): Waterfall {
    let h = this.hooks.get(protocol);
    if (!h) {
      h = this.host.hooks.processRecords.for(protocol) as unknown as Waterfall;
      this.hooks.set(protocol, h);
    }
    return h;
  }

  /** Runs the protocol's processRecords taps, then appends each record with t's socket columns. */
  write(protocol: string, tableName: string, t: ConnTracker, records: DecodedRecord[]): void {
    const h = this.hook(protocol);
    let recs = records;
    if (h.taps.length > 0) {
      recs = h.call(records);
      if (!Array.isArray(recs)) return;
    }
    if (recs.length === 0) return;
    const p = this.plan(tableName);
    const { sources, names, values } = p;
    for (const r of recs) {
      for (let i = 0; i < sources.length; i++) {
        switch (sources[i]) {
          case Source.Record:
            values[i] = r[names[i]!];
            break;
          case Source.Upid:
            values[i] = t.upid;
            break;
          case Source.RemoteAddr:
            values[i] = t.remoteAddr;
            break;
          case Source.RemotePort:
            values[i] = t.remotePort;
            break;
          case Source.LocalAddr:
            values[i] = t.localAddr;
            break;
          case Source.LocalPort:
            values[i] = t.localPort;
            break;
          case Source.TraceRole:
            values[i] = t.role;
            break;
          default:
            values[i] = false;
        }
      }
      p.table.appendValues(values);
    }
    this.recordsOut += recs.length;
  }
}
