import { byteHeap, type Logger, type PluginHost, type Table } from '@nixie/core';
import type { PipelineCounters } from './pipeline.js';

/** The agent's own health, as agent_stats holds it. */
export interface AgentStats {
  agentId: string;
  eventsIn: number;
  eventsDropped: number;
  decodeErrors: number;
  pluginErrors: number;
  liveTrackers: number;
  recordsOut: number;
  exportDropped: number;
  heapUsedBytes: number;
  rssBytes: number;
  /** Not in agent_stats; for the log and tests. */
  connectionsOff: number;
  stitchErrors: number;
  bufferedBytes: number;
  /** The byte heap (streams, text arenas, staging): bytes in use, of its capacity (0: off). */
  byteHeapUsedBytes: number;
  byteHeapBytes: number;
  /** Blocks that did not fit in the byte heap and were plain Buffers (cumulative): the data path is slower then. */
  byteHeapOutside: number;
  /** How the socket syscalls are hooked: fexit, tracepoint, or none (no BPF). */
  bpfHooks: 'fexit' | 'raw_tracepoint' | 'tracepoint' | 'none';
}

/** Gathers the figures of AgentStats from the pipeline, tracer and host. */
export function collectStats(
  agentId: string,
  c: PipelineCounters,
  extra: { dropped: number; liveTrackers: number; recordsOut: number; bufferedBytes: number; bpfHooks: AgentStats['bpfHooks'] },
  host: PluginHost,
): AgentStats {
  const mem = process.memoryUsage();
  const heap = byteHeap().stats();
  let exportDropped = 0;
  for (const x of host.exporters) {
    try {
      exportDropped += x.stats().dropped;
    } catch (e) {
      host.recordFault(x.name, 'stats', e);
    }
  }
  return {
    agentId,
    eventsIn: c.eventsIn,
    eventsDropped: extra.dropped,
    decodeErrors: c.decodeErrors,
    pluginErrors: c.pluginErrors + host.pluginErrorCount(),
    liveTrackers: extra.liveTrackers,
    recordsOut: extra.recordsOut,
    exportDropped,
    heapUsedBytes: mem.heapUsed,
    rssBytes: mem.rss,
    connectionsOff: c.connectionsOff,
    stitchErrors: c.stitchErrors,
    bufferedBytes: extra.bufferedBytes,
    byteHeapUsedBytes: heap.inUse,
    byteHeapBytes: heap.capacity,
    byteHeapOutside: heap.outside,
    bpfHooks: extra.bpfHooks,
  };
}

/** Appends one agent_stats row. */
export function writeStats(table: Table, s: AgentStats, nowNs: number): void {
  table.appendRow({
    time_: nowNs,
    agent_id: s.agentId,
    events_in: s.eventsIn,
    events_dropped: s.eventsDropped,
    decode_errors: s.decodeErrors,
    plugin_errors: s.pluginErrors,
    live_trackers: s.liveTrackers,
    records_out: s.recordsOut,
    export_dropped: s.exportDropped,
    heap_used_bytes: s.heapUsedBytes,
    rss_bytes: s.rssBytes,
  });
}

/** One log line with the health figures. */
export function logStats(log: Logger, s: AgentStats): void {
  const mb = (n: number) => (n / 1048576).toFixed(1);
  log.info(
    `agent ${s.agentId}: events ${s.eventsIn} (dropped ${s.eventsDropped}), records ${s.recordsOut}, ` +
      `decode errors ${s.decodeErrors}, connections off ${s.connectionsOff}, plugin errors ${s.pluginErrors}, ` +
      `trackers ${s.liveTrackers}, buffered ${mb(s.bufferedBytes)} MiB, heap ${mb(s.heapUsedBytes)} MiB, rss ${mb(s.rssBytes)} MiB, ` +
      `byte heap ${mb(s.byteHeapUsedBytes)} of ${mb(s.byteHeapBytes)} MiB` +
      (s.byteHeapOutside > 0 ? ` (${s.byteHeapOutside} blocks outside it: raise NIXIE_BYTE_HEAP_MB)` : '') +
      `, hooks ${s.bpfHooks}`,
  );
}
