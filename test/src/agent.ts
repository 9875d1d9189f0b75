import type { ChildProcess } from 'node:child_process';
import { createAgent, type Agent } from '@nixie/agent';
import { batchToObjects, BUILTIN_PLUGINS, createLogger, validateConfig, type LogLevel, type UInt128 } from '@nixie/core';

/** A table row as an object keyed by column name. */
export type Row = Record<string, string | number | boolean | UInt128>;

export interface TestAgentOptions {
  /** Pids to trace (their children are followed); default: this test process. */
  pids?: number[];
  /** Raw nixie.yaml-shaped overrides, merged over the test defaults and validated, e.g. { agent: { body_limit_bytes: 64 } }. */
  config?: Record<string, unknown>;
  /**
   * Plugin packages to load, e.g. ['@nixie/protocol-http']; other built-ins are turned off, so that a
   * half-built plugin of someone else cannot break your test. Default: every built-in that is installed.
   */
  plugins?: string[];
  /** Agent log level (default 'warn'). */
  logLevel?: LogLevel;
}

/** An in-process agent for end-to-end tests. */
export interface TestAgent {
  readonly agent: Agent;
  /** Rows of a table now (after draining the ring buffer). */
  rows(table: string): Row[];
  /** Waits until at least `min` rows match; see waitForRows. */
  waitForRows(table: string, match: (row: Row) => boolean, opts?: WaitOptions): Promise<Row[]>;
  /** Traces a child process too (spawned by the test). */
  traceChild(child: ChildProcess): void;
  /** Stops the agent and detaches BPF; safe to call twice. */
  stop(): Promise<void>;
}

export interface WaitOptions {
  /** Give up after this long (default 10 000 ms). */
  timeoutMs?: number;
  /** Matching rows wanted (default 1). */
  min?: number;
}

/** Test defaults: quiet, conn_stats every second, a small store. */
const TEST_DEFAULTS = { log_level: 'warn', agent: { conn_stats_period_seconds: 1 }, store: { budget_bytes: 64 * 1024 * 1024 } };

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
      ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}

/**
 * Starts a real agent (BPF attached) in this process, limited to `pids` (default: this process and its
 * children). Needs root and BTF, as every BPF test here does. Call stop() in an after hook.
 */
export async function startTestAgent(opts: TestAgentOptions = {}): Promise<TestAgent> {
  const raw = merge(structuredClone(TEST_DEFAULTS), opts.config ?? {});
  if (opts.plugins) {
    const only: Record<string, unknown> = {};
    for (const name of BUILTIN_PLUGINS) only[name] = false;
    for (const name of opts.plugins) only[name] = {};
    raw.plugins = merge(only, (raw.plugins as Record<string, unknown> | undefined) ?? {});
  }
  const config = validateConfig(raw);
  const agent = await createAgent({
    config,
    pidFilter: opts.pids ?? [process.pid],
    log: createLogger(opts.logLevel ?? 'warn', 'agent'),
    healthPeriodMs: 1000,
  });
  await agent.start();
  let stopped = false;
  return {
    agent,
    rows: (table) => tableRows(agent, table),
    waitForRows: (table, match, w) => waitForRows(agent, table, match, w),
    traceChild: (child) => {
      if (child.pid) agent.tracePid(child.pid);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await agent.stop();
    },
  };
}

/** Every row of a table, after draining the ring buffer and decoding. */
export function tableRows(agent: Agent, table: string): Row[] {
  agent.poll();
  const out: Row[] = [];
  for (const b of agent.store.table(table).scan()) out.push(...batchToObjects(b));
  return out;
}

/**
 * Polls the agent until `min` rows of `table` match, and returns the matching rows. On timeout, fails
 * with a message listing the rows that were seen (the closest thing to a diff a tracing test can get).
 */
export async function waitForRows(agent: Agent, table: string, match: (row: Row) => boolean, opts: WaitOptions = {}): Promise<Row[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const min = opts.min ?? 1;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = tableRows(agent, table);
    const hits = all.filter(match);
    if (hits.length >= min) return hits;
    if (Date.now() > deadline) throw new Error(describeMiss(table, min, hits.length, all, agent));
    await new Promise((r) => setTimeout(r, 50));
  }
}

function describeMiss(table: string, min: number, got: number, all: Row[], agent: Agent): string {
  const show = (r: Row) =>
    JSON.stringify(r, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…` : v));
  const s = agent.stats();
  const lines = [
    `waitForRows: wanted ${min} matching row(s) in ${table}, found ${got} among ${all.length} row(s)`,
    `agent: events ${s.eventsIn}, dropped ${s.eventsDropped}, records ${s.recordsOut}, decode errors ${s.decodeErrors}, trackers ${s.liveTrackers}`,
    ...all.slice(-20).map((r) => `  ${show(r)}`),
  ];
  if (all.length > 20) lines.splice(2, 0, `  (last 20 of ${all.length})`);
  return lines.join('\n');
}
