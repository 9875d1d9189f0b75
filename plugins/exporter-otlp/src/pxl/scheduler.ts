import { createLogger, type Logger } from '@nixie/core';
import { exportPxlResult, type PxlExportCounts } from './export-pxl.js';
import type { OtlpGrpcClientOptions } from './otlp-grpc-client.js';
import type { PxlOutput } from './spec.js';

/** One entry of nixie.yaml's `scheduled_scripts`. */
export interface ScheduledScript {
  readonly name: string;
  /** PxL source, a .pxl file or a bundle name; what it means is the runner's business. */
  readonly script: string;
  readonly period_seconds: number;
  readonly enabled?: boolean;
}

/** The window a run covers: px.plugin.start_time (inclusive) to px.plugin.end_time (exclusive), ns. */
export interface ScriptWindow {
  readonly startNs: number;
  readonly endNs: number;
}

/** Compiles and runs a script with px.plugin.start_time/end_time set to the window; the broker provides it. */
export type RunPxl = (script: string, window: ScriptWindow) => Promise<readonly PxlOutput[]>;

export interface ScriptSchedulerOptions {
  scripts: readonly ScheduledScript[];
  run: RunPxl;
  /** Where px.export sends when the script names no endpoint (the exporter plugin's endpoint). */
  endpoint?: OtlpGrpcClientOptions;
  log?: Logger;
  /** Clock in ns since epoch (tests pass their own). */
  now?: () => number;
  /** Called after each run, with what it exported or why it failed. */
  onRun?: (event: ScriptRunEvent) => void;
}

export interface ScriptRunEvent {
  readonly name: string;
  readonly window: ScriptWindow;
  readonly exported?: PxlExportCounts;
  readonly error?: string;
}

/** Per-script health. */
export interface ScriptStats {
  runs: number;
  failures: number;
  lastError: string;
  /** End of the last window delivered: the next run starts here. */
  deliveredUntilNs: number;
  gauges: number;
  summaries: number;
  spans: number;
}

interface Slot {
  readonly s: ScheduledScript;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  stats: ScriptStats;
}

/**
 * Runs scheduled PxL scripts every period over the window since the previous run and sends their
 * px.export outputs. Windows are contiguous and each is delivered once: the next window starts where
 * the last delivered one ended, and a failed run leaves its window to the next run.
 */
export class ScriptScheduler {
  private readonly slots: Slot[];
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: ScriptSchedulerOptions) {
    this.log = opts.log ?? createLogger('info');
    this.now = opts.now ?? (() => Date.now() * 1e6);
    this.slots = opts.scripts
      .filter((s) => s.enabled !== false)
      .map((s) => ({ s, stats: { runs: 0, failures: 0, lastError: '', deliveredUntilNs: 0, gauges: 0, summaries: 0, spans: 0 } }));
  }

  /** Starts the timers; the first window of each script is the period before its first run. */
  start(): void {
    const t0 = this.now();
    for (const slot of this.slots) {
      if (slot.timer) continue;
      slot.stats.deliveredUntilNs = t0;
      slot.timer = setInterval(() => void this.tick(slot), slot.s.period_seconds * 1000);
      slot.timer.unref();
    }
  }

  /** Stops the timers and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const slot of this.slots) {
      clearInterval(slot.timer);
      slot.timer = undefined;
    }
    await Promise.all(this.slots.map((s) => s.running));
  }

  /** Runs one script now over [last delivered end, now); for tests and `nixie` commands. */
  async runNow(name: string): Promise<ScriptRunEvent> {
    const slot = this.slots.find((x) => x.s.name === name);
    if (!slot) throw new Error(`no enabled scheduled script named ${name} (have: ${this.slots.map((x) => x.s.name).join(', ') || 'none'})`);
    await slot.running;
    if (slot.stats.deliveredUntilNs === 0) slot.stats.deliveredUntilNs = this.now() - slot.s.period_seconds * 1e9;
    let event!: ScriptRunEvent;
    slot.running = this.runSlot(slot).then((e) => {
      event = e;
    });
    await slot.running;
    slot.running = undefined;
    return event;
  }

  stats(): Record<string, ScriptStats> {
    return Object.fromEntries(this.slots.map((x) => [x.s.name, { ...x.stats }]));
  }

  private async tick(slot: Slot): Promise<void> {
    // A run still going when the next is due: skip; the next run's window covers both.
    if (slot.running) return;
    slot.running = this.runSlot(slot).then(() => undefined);
    await slot.running;
    slot.running = undefined;
  }

  private async runSlot(slot: Slot): Promise<ScriptRunEvent> {
    const window = { startNs: slot.stats.deliveredUntilNs, endNs: this.now() };
    slot.stats.runs++;
    let event: ScriptRunEvent;
    try {
      const outputs = await this.opts.run(slot.s.script, window);
      const total: PxlExportCounts = { gauges: 0, summaries: 0, spans: 0 };
      for (const o of outputs) {
        if (o.kind !== 'export' || !o.otel) continue;
        const c = await exportPxlResult(o.otel, o.batches, { endpoint: this.opts.endpoint, nowNs: window.endNs });
        total.gauges += c.gauges;
        total.summaries += c.summaries;
        total.spans += c.spans;
      }
      slot.stats.deliveredUntilNs = window.endNs;
      slot.stats.gauges += total.gauges;
      slot.stats.summaries += total.summaries;
      slot.stats.spans += total.spans;
      slot.stats.lastError = '';
      event = { name: slot.s.name, window, exported: total };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      slot.stats.failures++;
      if (slot.stats.lastError !== msg) this.log.warn(`scheduled script ${slot.s.name}: ${msg} (its window is retried by the next run)`);
      slot.stats.lastError = msg;
      event = { name: slot.s.name, window, error: msg };
    }
    this.opts.onRun?.(event);
    return event;
  }
}
