import { NETWORK_STATS, PROCESS_STATS, type MetricSource, type NixiePlugin, type PluginHost, type SourceContext } from '@nixie/core';
import { listPids, netnsOf, parseNetDev, readProcess } from './procfs.js';
import { readFileSync } from 'node:fs';

/** Used for every tap, so failures name this plugin. */
export const PLUGIN_NAME = '@nixie/source-process';

export interface SourceProcessOptions {
  /** process_stats period. */
  process_period_seconds: number;
  /** network_stats period. */
  network_period_seconds: number;
  /** Only these pids (tests); empty means every process. */
  pids: number[];
  /** Where procfs is mounted (a container may mount the host's elsewhere). */
  proc_path: string;
}

/** One process_stats row per running process, every period. upid = {pid, start ticks}, as every table. */
export function processStatsSource(opts: SourceProcessOptions): MetricSource {
  const row = [0, { high: 0, low: 0 }, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] as unknown[];
  return {
    name: 'process_stats',
    tables: [PROCESS_STATS],
    periodMs: opts.process_period_seconds * 1000,
    collect(ctx: SourceContext) {
      const table = ctx.store.table(PROCESS_STATS.name);
      for (const pid of opts.pids.length ? opts.pids : listPids(opts.proc_path)) {
        const s = readProcess(pid, opts.proc_path);
        if (!s) continue;
        row[0] = ctx.nowNs;
        row[1] = { high: pid, low: s.startTicks };
        row[2] = s.majorFaults;
        row[3] = s.minorFaults;
        row[4] = s.utimeNs;
        row[5] = s.stimeNs;
        row[6] = s.numThreads;
        row[7] = s.vsizeBytes;
        row[8] = s.rssBytes;
        row[9] = s.rchar;
        row[10] = s.wchar;
        row[11] = s.readBytes;
        row[12] = s.writeBytes;
        table.appendValues(row);
      }
    },
  };
}

/**
 * One network_stats row per network namespace, every period. On a bare host a namespace stands for a pod:
 * pod_id is "host" for the agent's own (the host's) namespace and "netns-<inode>" for others (containers, test namespaces).
 */
export function networkStatsSource(opts: SourceProcessOptions): MetricSource {
  return {
    name: 'network_stats',
    tables: [NETWORK_STATS],
    periodMs: opts.network_period_seconds * 1000,
    collect(ctx: SourceContext) {
      const table = ctx.store.table(NETWORK_STATS.name);
      // The agent runs in the host's network namespace (hostNetwork in a cluster).
      const hostNs = netnsOf(process.pid, opts.proc_path) ?? netnsOf(1, opts.proc_path);
      const seen = new Set<string>();
      for (const pid of opts.pids.length ? opts.pids : listPids(opts.proc_path)) {
        const ns = netnsOf(pid, opts.proc_path);
        if (!ns || seen.has(ns)) continue;
        seen.add(ns);
        let text: string;
        try {
          text = readFileSync(`${opts.proc_path}/${pid}/net/dev`, 'latin1');
        } catch {
          continue;
        }
        const s = parseNetDev(text);
        const inode = /\[(\d+)\]/.exec(ns)?.[1] ?? ns;
        table.appendRow({
          time_: ctx.nowNs,
          pod_id: ns === hostNs ? 'host' : `netns-${inode}`,
          rx_bytes: s.rxBytes,
          rx_packets: s.rxPackets,
          rx_errors: s.rxErrors,
          rx_drops: s.rxDrops,
          tx_bytes: s.txBytes,
          tx_packets: s.txPackets,
          tx_errors: s.txErrors,
          tx_drops: s.txDrops,
        });
      }
    },
  };
}

const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: {
    name: PLUGIN_NAME,
    core: '^0.1.0',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        process_period_seconds: { type: 'number', exclusiveMinimum: 0, default: 10 },
        network_period_seconds: { type: 'number', exclusiveMinimum: 0, default: 10 },
        pids: { type: 'array', items: { type: 'integer', minimum: 1 }, default: [] },
        proc_path: { type: 'string', default: '/proc' },
      },
    },
  },
  apply(host: PluginHost): void {
    const opts = host.pluginOptions<SourceProcessOptions>(PLUGIN_NAME);
    host.hooks.registerSources.tap(PLUGIN_NAME, (r) => {
      r.add(processStatsSource(opts));
      r.add(networkStatsSource(opts));
    });
  },
};

export default plugin;
export { parseStat, parseIo, parseNetDev, readProcess, listPids, netnsOf, CLK_TCK, type ProcSample, type NetSample } from './procfs.js';
