import type { Table } from '@nixie/core';
import { startTimeTicks } from '@nixie/bpf';
import type { ConnTracker } from './conn/conn-tracker.js';

interface Group {
  pid: number;
  startTimeNs: number;
  remoteAddr: string;
  remotePort: number;
  role: number;
  family: number;
  protocol: number;
  open: number;
  close: number;
  active: number;
  sent: number;
  recv: number;
}

/**
 * conn_stats: per (upid, remote_addr, remote_port, trace_role), cumulative opens, closes and bytes, and
 * connections open now. Closed connections fold into a retained group; live ones are added at each
 * report. A group with nothing open is reported once more after its last change, then forgotten.
 */
export class ConnStats {
  private readonly retained = new Map<string, Group>();
  private readonly changed = new Set<string>();

  /** Folds a connection that closed (or expired) into its group. */
  onClosed(t: ConnTracker): void {
    const key = keyOf(t);
    const g = this.retained.get(key) ?? this.newGroup(t, key);
    g.open++;
    g.close++;
    g.sent += t.bytesSent;
    g.recv += t.bytesRecv;
    if (t.protocol) g.protocol = t.protocol;
    this.changed.add(key);
  }

  private newGroup(t: ConnTracker, key: string): Group {
    const g: Group = {
      pid: t.pid,
      startTimeNs: t.startTimeNs,
      remoteAddr: t.remoteAddr,
      remotePort: t.remotePort,
      role: t.role,
      family: t.family,
      protocol: t.protocol,
      open: 0,
      close: 0,
      active: 0,
      sent: 0,
      recv: 0,
    };
    this.retained.set(key, g);
    return g;
  }

  /** Appends one row per group (live connections included) with time_ = nowNs. */
  report(live: Iterable<ConnTracker>, table: Table, nowNs: number): number {
    const rows = new Map<string, Group>();
    for (const [k, g] of this.retained) rows.set(k, { ...g, active: 0 });
    for (const t of live) {
      if (t.closed) continue;
      const k = keyOf(t);
      let g = rows.get(k);
      if (!g) {
        g = { pid: t.pid, startTimeNs: t.startTimeNs, remoteAddr: t.remoteAddr, remotePort: t.remotePort, role: t.role, family: t.family, protocol: t.protocol, open: 0, close: 0, active: 0, sent: 0, recv: 0 };
        rows.set(k, g);
      }
      g.open++;
      g.active++;
      g.sent += t.bytesSent;
      g.recv += t.bytesRecv;
      if (t.protocol) g.protocol = t.protocol;
    }
    let n = 0;
    for (const [k, g] of rows) {
      if (g.active === 0 && !this.changed.has(k)) {
        this.retained.delete(k);
        continue;
      }
      table.appendRow({
        time_: nowNs,
        upid: { high: g.pid, low: startTimeTicks(g.startTimeNs) },
        remote_addr: g.remoteAddr,
        remote_port: g.remotePort,
        trace_role: g.role,
        addr_family: g.family,
        protocol: g.protocol,
        ssl: false,
        conn_open: g.open,
        conn_close: g.close,
        conn_active: g.active,
        bytes_sent: g.sent,
        bytes_recv: g.recv,
      });
      n++;
    }
    this.changed.clear();
    return n;
  }

  /** Groups held between reports (for health figures). */
  get groups(): number {
    return this.retained.size;
  }
}

function keyOf(t: ConnTracker): string {
  if (t.statsKey === '') t.statsKey = `${t.pid}|${t.startTimeNs}|${t.remoteAddr}|${t.remotePort}|${t.role}`;
  return t.statsKey;
}
