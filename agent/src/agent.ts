import { hostname } from 'node:os';
import {
  AGENT_STATS, CONN_STATS, createLogger, loadPlugins, PluginHost, TableStore, validateConfig,
  type Logger, type MetricSource, type NixieConfig,
} from '@nixie/core';
import { bootClockOffsetNs, setThreadSchedPolicy, SocketTracer, type SocketTracerOptions } from '@nixie/bpf';
import { ConnStats } from './conn-stats.js';
import { collectStats, logStats, writeStats, type AgentStats } from './health.js';
import { Pipeline, type RawBatch } from './pipeline.js';
import { RecordWriter } from './record-writer.js';
import { RolePolicy } from './role-policy.js';

export interface AgentOptions {
  /** Validated config; defaults when omitted. */
  config?: NixieConfig;
  /** A host with plugins already registered; by default a new one with core's loadPlugins. */
  host?: PluginHost;
  /** Load built-in and configured plugins into the host (default: only when no host is given). */
  loadPlugins?: boolean;
  store?: TableStore;
  /** Trace only these pids (and their children); overrides agent.pid_filter. */
  pidFilter?: readonly number[];
  log?: Logger;
  /** 'bpf' (default) opens the socket tracer; 'none' runs without the kernel, fed through handleBatch. */
  events?: 'bpf' | 'none';
  /** Extra SocketTracer settings (tests). */
  tracer?: Partial<SocketTracerOptions>;
  /** How often agent_stats is written and logged, ms (default 10 000). */
  healthPeriodMs?: number;
}

/** A running (or ready) agent. */
export interface Agent {
  readonly id: string;
  readonly store: TableStore;
  readonly host: PluginHost;
  readonly config: NixieConfig;
  /** Boots the plugins, opens and attaches BPF, starts draining. Throws a coded error (no root, no BTF...). */
  start(): Promise<void>;
  /** Drains what is left, writes the last rows, detaches every BPF program. */
  stop(): Promise<void>;
  /** Health figures now. */
  stats(): AgentStats;
  /** Feeds a batch of raw events (events: 'none', or replay). */
  handleBatch(batch: RawBatch): void;
  /** Drains the ring buffer now, decodes and publishes; returns the events handled. */
  poll(): number;
  /** Writes conn_stats rows now (they are also written every agent.conn_stats_period_seconds). */
  reportConnStats(): void;
  /** Starts tracing another pid (with a pid filter). */
  tracePid(pid: number): void;
}

/** Creates the agent: plugins, table store, pipeline. Nothing touches the kernel before start(). */
export async function createAgent(opts: AgentOptions = {}): Promise<Agent> {
  const config = opts.config ?? validateConfig({});
  const log = opts.log ?? createLogger(config.log_level, 'agent');
  const host = opts.host ?? new PluginHost({ log });
  if (opts.loadPlugins ?? opts.host === undefined) await loadPlugins(host, config);
  await host.boot();
  const store = opts.store ?? new TableStore({ budgetBytes: config.store.budget_bytes, tables: config.store.tables });
  for (const t of host.tables) store.addTable(t);
  for (const s of host.sources) for (const t of s.tables) store.addTable(t);
  return new AgentImpl(config, host, store, log, opts);
}

class AgentImpl implements Agent {
  readonly id: string;
  private readonly pipeline: Pipeline;
  private readonly writer: RecordWriter;
  private readonly connStats = new ConnStats();
  private readonly policy: RolePolicy;
  private tracer: SocketTracer | undefined;
  /** The tracer's hook kind, kept after stop() for the last health report. */
  private bpfHooks: AgentStats['bpfHooks'] = 'none';
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pids: Set<number> | undefined;
  private running = false;
  private readonly publishListener = (table: string, batch: Parameters<Parameters<TableStore['publish']>[0]>[1]) =>
    this.host.hooks.onRecords.call({ table, batch });

  constructor(
    readonly config: NixieConfig,
    readonly host: PluginHost,
    readonly store: TableStore,
    private readonly log: Logger,
    private readonly opts: AgentOptions,
  ) {
    const a = config.agent;
    this.id = a.id || hostname();
    const filter = opts.pidFilter ?? (a.pid_filter.length ? a.pid_filter : undefined);
    this.pids = filter ? new Set(filter) : undefined;
    this.policy = new RolePolicy(a.role_policy);
    this.writer = new RecordWriter(store, host);
    this.pipeline = new Pipeline({
      host,
      writer: this.writer,
      connStats: this.connStats,
      policy: this.policy,
      protocols: a.protocols,
      limits: { bodyLimitBytes: a.body_limit_bytes, headersLimitBytes: a.headers_limit_bytes },
      stream: { maxBytes: a.stream_buffer_bytes },
      clockOffsetNs: Number(bootClockOffsetNs()),
      idleNs: a.tracker_idle_seconds * 1e9,
      onExec: (pid, ppid) => {
        if (this.pids && this.pids.has(ppid) && !this.pids.has(pid)) this.tracePid(pid);
      },
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.host.start();
    if ((this.opts.events ?? 'bpf') === 'bpf') {
      const pids = this.pids ? [...this.pids] : undefined;
      this.tracer = SocketTracer.open({
        ringBufferBytes: this.config.agent.ring_buffer_bytes,
        dataCap: Math.min(this.config.agent.max_data_bytes, 32768),
        pidFilter: pids,
        // The agent's own traffic is not traced, unless a test asks for this very process.
        excludePid: pids?.includes(process.pid) ? 0 : process.pid,
        // The kernel skips the bytes of the sides the role policy would drop.
        rolePolicy: this.config.agent.role_policy,
        hooks: this.config.agent.bpf_hooks,
        ...this.opts.tracer,
      });
      const t = this.tracer;
      this.bpfHooks = t.hookKind;
      const why = t.hookReason === 'forced' ? 'agent.bpf_hooks' : t.hookReason;
      this.log.info(
        t.hookKind === 'fexit'
          ? `socket syscalls hooked with fexit programs (BPF trampolines)${t.hookReason === 'forced' ? ' (agent.bpf_hooks)' : ''}`
          : t.hookKind === 'raw_tracepoint'
            ? `socket syscalls hooked with one sys_exit raw tracepoint program (${why}): every syscall on this host takes the slower traced path`
            : `socket syscalls hooked with syscall tracepoints (${why}): every syscall on this host takes the slower traced path, and each hooked one builds a perf record`,
      );
      // Drains (this thread) then wait for a core rather than take it from a traced service that is running.
      const policy = this.config.agent.sched_policy;
      const failed = setThreadSchedPolicy(policy);
      if (failed) this.log.warn(`agent.sched_policy ${policy} not applied (${failed}): the agent runs with the default policy`);
      this.tracer.start((batch) => this.onBatch(batch));
    }
    this.running = true;
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (e) {
          this.log.error(`agent timer failed: ${(e as Error).message}`);
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.config.agent.conn_stats_period_seconds * 1000, () => this.reportConnStats());
    every(this.opts.healthPeriodMs ?? 10_000, () => this.reportHealth());
    every(1000, () => {
      this.pipeline.processDirty();
      this.pipeline.expire(Number(process.hrtime.bigint()));
      this.publish();
    });
    for (const s of this.host.sources) this.startSource(s);
    this.log.info(`agent ${this.id} started${this.tracer ? '' : ' (no BPF: events fed in process)'}`);
  }

  private startSource(s: MetricSource): void {
    const ctx = () => ({ store: this.store, log: this.log, nowNs: Date.now() * 1e6 });
    const run = (what: string, fn: () => Promise<void> | void) => {
      try {
        const p = fn();
        if (p) p.catch((e: unknown) => this.host.recordFault(s.name, what, e));
      } catch (e) {
        this.host.recordFault(s.name, what, e);
      }
    };
    if (s.start) run('start', () => s.start!(ctx()));
    const t = setInterval(() => run('collect', () => s.collect(ctx())), s.periodMs);
    t.unref();
    this.timers.push(t);
  }

  private onBatch(batch: RawBatch): void {
    try {
      this.pipeline.handleBatch(batch);
    } catch (e) {
      // A bug of ours on the data path must not stop the drain: count it and carry on.
      this.host.recordFault('@nixie/agent', 'handleBatch', e);
    }
    this.publish();
  }

  handleBatch(batch: RawBatch): void {
    this.onBatch(batch);
  }

  poll(): number {
    const n = this.tracer ? this.tracer.poll((b) => this.pipeline.handleBatch(b)) : 0;
    this.pipeline.processDirty();
    this.publish();
    return n;
  }

  private publish(): void {
    // With no exporter tapping onRecords, taking each table's new rows would be work for nobody; and published
    // batches are views, whose chunks' memory the store never reuses. Rows are only marked as published.
    if (this.host.hooks.onRecords.taps.length === 0) this.store.skipUnpublished();
    else this.store.publish(this.publishListener);
  }

  tracePid(pid: number): void {
    if (!this.pids) return;
    this.pids.add(pid);
    this.tracer?.addPid(pid);
  }

  reportConnStats(): void {
    this.connStats.report(this.pipeline.conns.all(), this.store.table(CONN_STATS.name), Date.now() * 1e6);
    this.publish();
  }

  private reportHealth(): void {
    const s = this.stats();
    writeStats(this.store.table(AGENT_STATS.name), s, Date.now() * 1e6);
    logStats(this.log, s);
    this.publish();
  }

  stats(): AgentStats {
    return collectStats(
      this.id,
      this.pipeline.counters,
      {
        dropped: this.tracer ? this.tracer.drops().total : 0,
        liveTrackers: this.pipeline.conns.size,
        recordsOut: this.writer.recordsOut,
        bufferedBytes: this.pipeline.bufferedBytes(),
        bpfHooks: this.bpfHooks,
      },
      this.host,
    );
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers.splice(0)) clearInterval(t);
    if (this.tracer) {
      const tr = this.tracer;
      this.tracer = undefined;
      tr.stop();
      try {
        tr.poll((b) => this.pipeline.handleBatch(b));
      } finally {
        await tr.close();
      }
      // The thread may outlive the agent (tests, benchmarks, an embedding process): give it the default back.
      if (this.config.agent.sched_policy !== 'other') setThreadSchedPolicy('other');
    }
    for (const s of this.host.sources) {
      try {
        await s.stop?.();
      } catch (e) {
        this.host.recordFault(s.name, 'stop', e);
      }
    }
    this.pipeline.flushAll();
    this.reportConnStats();
    this.reportHealth();
    await this.host.stop();
    this.log.info(`agent ${this.id} stopped`);
  }
}
