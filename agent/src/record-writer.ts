import type { DecodedRecord, Decoder, Frame, PluginHost, RowWriter, StitchCounts, Table, TableStore, UInt128 } from '@nixie/core';
import type { ConnTracker } from './conn/conn-tracker.js';
import { RowStaging } from './row-staging.js';

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

/** The value of a socket column for connection t. */
function socketValue(s: Source, t: ConnTracker): number | string | boolean | UInt128 {
  switch (s) {
    case Source.Upid:
      return t.upid;
    case Source.RemoteAddr:
      return t.remoteAddr;
    case Source.RemotePort:
      return t.remotePort;
    case Source.LocalAddr:
      return t.localAddr;
    case Source.LocalPort:
      return t.localPort;
    case Source.TraceRole:
      return t.role;
    default:
      return false;
  }
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

  /**
   * Stitches t's frames with the decoder, rows written straight into the table when nothing taps
   * processRecords for the protocol (and the decoder can), else as records through the taps.
   */
  stitch(protocol: string, d: Decoder<Frame, unknown>, t: ConnTracker): number {
    if (d.stitchInto && this.hook(protocol).taps.length === 0) {
      const w = this.rowWriter(d.table.name);
      w.conn = t;
      const r: StitchCounts = d.stitchInto(t.requests, t.responses, t.state, w);
      this.recordsOut += r.rows;
      return r.errors;
    }
    const r = d.stitch(t.requests, t.responses, t.state);
    if (r.records.length > 0) this.write(protocol, d.table.name, t, r.records);
    return r.errors;
  }

  private readonly writers = new Map<string, ConnRowWriter>();

  /** Appends rows staged by stitchInto to their tables (the pipeline calls it after each batch of work). */
  flush(): void {
    for (const w of this.writers.values()) w.flush();
  }

  private rowWriter(tableName: string): ConnRowWriter {
    let w = this.writers.get(tableName);
    if (!w) {
      const p = this.plan(tableName);
      w = new ConnRowWriter(p.table, p.sources);
      this.writers.set(tableName, w);
    }
    return w;
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
        const src = sources[i]!;
        values[i] = src === Source.Record ? r[names[i]!] : socketValue(src, t);
      }
      p.table.appendValues(values);
    }
    this.recordsOut += recs.length;
  }
}

/**
 * A RowWriter for one table that adds the socket columns of `conn` to every row. Rows are staged in typed
 * arrays and reach the table as one batch append, at flush() or when the staging is full.
 */
class ConnRowWriter implements RowWriter {
  conn: ConnTracker | undefined;
  private readonly staging: RowStaging;
  /** Where each socket column is in the table (-1: not in it). */
  private readonly upidCol: number;
  private readonly remoteAddrCol: number;
  private readonly remotePortCol: number;
  private readonly localAddrCol: number;
  private readonly localPortCol: number;
  private readonly roleCol: number;
  private readonly encryptedCol: number;

  constructor(
    private readonly table: Table,
    sources: readonly Source[],
  ) {
    this.staging = new RowStaging(table.schema);
    this.upidCol = sources.indexOf(Source.Upid);
    this.remoteAddrCol = sources.indexOf(Source.RemoteAddr);
    this.remotePortCol = sources.indexOf(Source.RemotePort);
    this.localAddrCol = sources.indexOf(Source.LocalAddr);
    this.localPortCol = sources.indexOf(Source.LocalPort);
    this.roleCol = sources.indexOf(Source.TraceRole);
    this.encryptedCol = sources.indexOf(Source.Encrypted);
  }

  num(col: number, v: number): void {
    this.staging.num(col, v);
  }

  str(col: number, s: string): void {
    this.staging.str(col, s);
  }

  bytes(col: number, src: Uint8Array, from: number, to: number, srcHeapOffset?: number): void {
    this.staging.bytesOf(col, src, from, to, srcHeapOffset);
  }

  bytes3(c0: number, c1: number, c2: number, src: Uint8Array, a: number, b: number, c: number, d: number, srcHeapOffset?: number): void {
    this.staging.bytes3(c0, c1, c2, src, a, b, c, d, srcHeapOffset);
  }

  commit(): void {
    const t = this.conn!;
    const st = this.staging;
    // Straight-line, one test per column: cheaper than a loop over the socket columns with a switch per value.
    if (this.upidCol >= 0) st.u128(this.upidCol, t.upid.high, t.upid.low);
    if (this.remoteAddrCol >= 0) st.strCached(this.remoteAddrCol, t.remoteAddr);
    if (this.remotePortCol >= 0) st.num(this.remotePortCol, t.remotePort);
    if (this.localAddrCol >= 0) st.strCached(this.localAddrCol, t.localAddr);
    if (this.localPortCol >= 0) st.num(this.localPortCol, t.localPort);
    if (this.roleCol >= 0) st.num(this.roleCol, t.role);
    if (this.encryptedCol >= 0) st.num(this.encryptedCol, 0);
    st.commit();
    if (st.full) this.flush();
  }

  /** Appends the staged rows to the table. */
  flush(): void {
    if (this.staging.length === 0) return;
    this.staging.appendTo(this.table);
  }
}
