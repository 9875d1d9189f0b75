/**
 * SocketTracer: opens, loads and attaches socket_trace and proc_trace, and hands their events to a callback
 * in batches (a view of the ring buffer + offsets; no object per event).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject, createBpfError, isNixieBpfError, RingBuffer, type BpfMap, type BpfProgram, type ProgramRunStats, type RingBatch } from '@nixie/libbpf-ts';
import { DEFAULT_CHUNK_LIMIT, DEFAULT_DATA_CAP, DEFAULT_STATS_THRESHOLD, MAX_DATA_SIZE } from './layout.js';

/** One batch of events: event i starts at buf[offsets[i]] and is sizes[i] bytes; valid only during the callback. */
export type EventBatch = RingBatch;
/** Receives batches synchronously. */
export type BatchHandler = (batch: EventBatch) => void;

/**
 * How socket_trace hooks the socket syscalls' exits:
 * - `fexit`: programs on the syscall functions (BPF trampolines): only the hooked syscalls pay.
 * - `raw_tracepoint` (x86_64): one program on the sys_exit raw tracepoint that tail-calls the handler of the
 *   syscall's number. Every syscall of every task on the host takes the slow syscall path (as with any
 *   syscall tracepoint), but a hooked syscall skips the perf record of `tracepoint`.
 * - `tracepoint`: syscalls:sys_exit_* tracepoints, one per hooked syscall: the slow syscall path for every
 *   syscall, and a perf trace record built for each hooked one before its program runs.
 */
export type HookKind = 'fexit' | 'raw_tracepoint' | 'tracepoint';

/** The hook kinds in the order 'auto' tries them (the cheapest first). */
export const HOOK_KINDS_AUTO: readonly HookKind[] = ['fexit', 'raw_tracepoint', 'tracepoint'];

/** SocketTracer settings; every one has a default (see README). */
export interface SocketTracerOptions {
  /**
   * 'auto' (default): the first of HOOK_KINDS_AUTO that loads and attaches (fexit, else raw_tracepoint on
   * x86_64, else tracepoint). A HookKind forces one (an error when it fails).
   */
  hooks?: 'auto' | HookKind;
  dataCap?: number;
  captureUnknown?: boolean;
  statsThreshold?: number;
  chunkLimit?: number;
  ringBufferBytes?: number;
  excludePid?: number;
  pidFilter?: readonly number[];
  /** Drain the ring buffer every this many ms; by default the interval adapts (see start()). */
  pollIntervalMs?: number;
  objectDir?: string;
  /** Events per batch at most (default DEFAULT_BATCH_EVENTS). */
  batchSize?: number;
  /**
   * Which sides get data events, as the agent's role_policy: 'auto' skips clients whose peer is a loopback
   * address (their server side records the call), 'server' and 'client' keep one side only, 'both' (default)
   * every side. A side not captured keeps its open, close and stats events.
   */
  rolePolicy?: 'auto' | 'server' | 'client' | 'both';
}

/** socket_trace's capture modes (enum capture_mode): all, not when the peer is loopback, none. */
const CAPTURE = { ALL: 0, NOT_LOOPBACK: 1, NONE: 2 } as const;
const ROLE_CAPTURE = {
  both: { client: CAPTURE.ALL, server: CAPTURE.ALL },
  auto: { client: CAPTURE.NOT_LOOPBACK, server: CAPTURE.ALL },
  server: { client: CAPTURE.NONE, server: CAPTURE.ALL },
  client: { client: CAPTURE.ALL, server: CAPTURE.NONE },
} as const;

/** Directory of the compiled objects in this package (bpf/build). */
export const DEFAULT_OBJECT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'build');

/** Ring buffer size by default: 16 MiB holds ~100 ms of a busy host's small messages. */
export const DEFAULT_RING_BYTES = 16 * 1024 * 1024;

/**
 * Adaptive draining (see start()): the interval stays within these bounds, ms, and aims at drains whose
 * handler work takes about DRAIN_TARGET_MS.
 */
export const POLL_MIN_MS = 5;
/**
 * At most 20 ms between drains: a drain of 50 ms of traffic held a core long enough for a traced server to feel
 * it. At 5 k requests/s (overhead bench, 4 alternated pairs of 3 rounds each), drains 20 ms apart gave p99 ratios
 * of 0.87, 1.02, 1.14 and 0.95 against 1.23, 1.06, 1.36 and 1.32 for 50 ms, for 6.7-7.8 µs of agent CPU per
 * request against 5.0-6.8.
 */
export const POLL_MAX_MS = 20;
/**
 * A wakeup costs the agent tens of µs on a VM (the switch, the timer, cold caches), so at moderate rates fewer,
 * larger drains are cheaper (overhead bench, --poll-ms=40 against adaptive 0.5 ms of work: ~30 % less agent CPU
 * per request). With drains at most POLL_MAX_MS apart, the target decides only above ~20 k requests/s; a
 * saturated host gets drains ~10 ms apart.
 */
export const DRAIN_TARGET_MS = 2;

/**
 * Events handed to the agent per batch at most. A batch's bytes (~250 KiB of small messages at 1024) then stay
 * in the core's L2 cache while they pass through streams, parsers and row staging: http-replay (100 connections)
 * ran ~700 k records/CPU s in batches of 1024 against ~580 k in batches of 8192 (4 runs each, alternated);
 * batches of 256 or fewer cost more per connection and batch than they save.
 */
export const DEFAULT_BATCH_EVENTS = 1024;

/** Drop counters: events the kernel could not put in the ring buffer (map `drops`, indexed by event kind). */
export interface DropCounts {
  total: number;
  byKind: Record<number, number>;
}

/** The raw tracepoint variant's one program (x86_64 builds only). */
const RAW_DISPATCHER = 'nixie_raw_sys_exit';

/**
 * The hook kind of one of socket_trace's programs, by name (undefined: not a syscall hook): nixie_fexit_<syscall>,
 * nixie_exit_<syscall> and the raw tracepoint's dispatcher (the test build puts the fexit ones on another section).
 */
function hookKindOf(p: BpfProgram): HookKind | undefined {
  if (p.name.startsWith('nixie_fexit_')) return 'fexit';
  if (p.name.startsWith('nixie_exit_')) return 'tracepoint';
  if (p.name === RAW_DISPATCHER) return 'raw_tracepoint';
  return undefined;
}

/** Why a failed attempt failed, in one line. */
function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/** The socket tracer: one ring buffer fed by socket_trace and proc_trace. */
export class SocketTracer {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private handler: BatchHandler | undefined;
  private closed = false;
  private readonly pidKey = Buffer.alloc(4);
  private readonly one = Buffer.from([1]);

  private constructor(
    readonly socketObj: BpfObject,
    readonly procObj: BpfObject,
    readonly ring: RingBuffer,
    private readonly fixedIntervalMs: number | undefined,
    /** Which programs hook the socket syscalls (see HookKind). */
    readonly hookKind: HookKind,
    /** Why: 'preferred' (the first 'auto' tries), 'forced' (opts.hooks), or why the kinds before it failed ('fexit unavailable: ...'). */
    readonly hookReason: string,
  ) {}

  /**
   * Opens, configures, loads and attaches both programs. Throws NixieBpfError with a fix in its message.
   * The socket syscalls are hooked with the first of HOOK_KINDS_AUTO that loads and attaches, or as
   * opts.hooks forces (hookKind and hookReason say which and why).
   */
  static open(opts: SocketTracerOptions = {}): SocketTracer {
    const want = opts.hooks ?? 'auto';
    if (want !== 'auto') return SocketTracer.openWith(opts, want, 'forced');
    const failed: string[] = [];
    for (const kind of HOOK_KINDS_AUTO) {
      const last = kind === HOOK_KINDS_AUTO[HOOK_KINDS_AUTO.length - 1];
      try {
        return SocketTracer.openWith(opts, kind, failed.length ? failed.join('; ') : 'preferred');
      } catch (e) {
        // A missing object, libbpf or BTF fails every kind alike: no next attempt.
        if (last || (isNixieBpfError(e) && ['NIXIE_ERR_BPF_OBJECT_NOT_FOUND', 'NIXIE_ERR_BPF_LIBBPF_MISSING', 'NIXIE_ERR_BPF_NO_BTF', 'NIXIE_ERR_BPF_OPEN'].includes(e.code))) {
          throw e;
        }
        failed.push(`${kind} unavailable: ${firstLine(e)}`);
      }
    }
    throw new Error('unreachable: HOOK_KINDS_AUTO is empty');
  }

  private static openWith(opts: SocketTracerOptions, hooks: HookKind, reason: string): SocketTracer {
    const dir = opts.objectDir ?? DEFAULT_OBJECT_DIR;
    const socketObj = BpfObject.open(path.join(dir, 'socket_trace.bpf.o'));
    let procObj: BpfObject | undefined;
    let ring: RingBuffer | undefined;
    try {
      // One variant of the syscall hooks goes to the kernel, never two (two would run every handler twice).
      const programs = socketObj.programs();
      if (hooks === 'raw_tracepoint' && !programs.some((p) => p.name === RAW_DISPATCHER)) {
        throw createBpfError('NIXIE_ERR_BPF_STATE', 'socket_trace.bpf.o', `no raw tracepoint variant (${RAW_DISPATCHER}): it is built on x86_64 only`);
      }
      for (const p of programs) {
        const kind = hookKindOf(p);
        if (kind !== undefined && kind !== hooks) p.setAutoload(false);
      }
      const dataCap = Math.min(Math.max(opts.dataCap ?? DEFAULT_DATA_CAP, 1), MAX_DATA_SIZE);
      socketObj.setConstant('data_cap', dataCap);
      socketObj.setConstant('capture_unknown', opts.captureUnknown ?? false);
      socketObj.setConstant('stats_threshold', opts.statsThreshold ?? DEFAULT_STATS_THRESHOLD);
      socketObj.setConstant('chunk_limit', opts.chunkLimit ?? DEFAULT_CHUNK_LIMIT);
      socketObj.setConstant('exclude_pid', opts.excludePid ?? process.pid);
      socketObj.setConstant('use_pid_filter', opts.pidFilter !== undefined);
      const capture = ROLE_CAPTURE[opts.rolePolicy ?? 'both'];
      socketObj.setConstant('client_capture', capture.client);
      socketObj.setConstant('server_capture', capture.server);
      socketObj.map('events').setMaxEntries(opts.ringBufferBytes ?? DEFAULT_RING_BYTES);
      socketObj.load();

      procObj = BpfObject.open(path.join(dir, 'proc_trace.bpf.o'));
      procObj.setConstant('exclude_pid', opts.excludePid ?? process.pid);
      procObj.setConstant('use_pid_filter', opts.pidFilter !== undefined);
      for (const name of ['events', 'drops', 'pid_filter']) procObj.map(name).reuse(socketObj.map(name));
      procObj.load();

      ring = new RingBuffer(socketObj.map('events'), opts.batchSize ?? DEFAULT_BATCH_EVENTS);
      const tracer = new SocketTracer(socketObj, procObj, ring, opts.pollIntervalMs, hooks, reason);
      for (const pid of opts.pidFilter ?? []) tracer.addPid(pid);
      socketObj.attachAll();
      procObj.attachAll();
      return tracer;
    } catch (e) {
      // Everything goes, links too: a failed fexit attempt leaves nothing behind for the fallback.
      ring?.close();
      procObj?.close();
      socketObj.close();
      throw e;
    }
  }

  /** Sections of the programs in the kernel (attached once open() returned): `fexit/__x64_sys_read`, `tracepoint/sched/...`. */
  attachedSections(): string[] {
    return [...this.socketObj.programs(), ...this.procObj.programs()].filter((p) => p.loaded).map((p) => p.section);
  }

  /** Whether the compiled objects exist in `dir`. */
  static objectsBuilt(dir = DEFAULT_OBJECT_DIR): boolean {
    return existsSync(path.join(dir, 'socket_trace.bpf.o')) && existsSync(path.join(dir, 'proc_trace.bpf.o'));
  }

  private get pidFilter(): BpfMap {
    return this.socketObj.map('pid_filter');
  }

  /** Traces `pid` too (when a pidFilter was given at open). */
  addPid(pid: number): void {
    this.pidKey.writeUInt32LE(pid);
    this.pidFilter.update(this.pidKey, this.one);
  }

  /** Stops tracing `pid` (pid filter). */
  removePid(pid: number): void {
    this.pidKey.writeUInt32LE(pid);
    this.pidFilter.delete(this.pidKey);
  }

  /** Drains the ring buffer once, synchronously; returns the number of events handed to `handler`. */
  poll(handler: BatchHandler | undefined = this.handler): number {
    if (this.closed || !handler) return 0;
    return this.ring.consume(handler);
  }

  /**
   * Starts draining on a timer. Each drain costs a wakeup (tens of µs) however few events it finds, and
   * the handler then holds a core while it works, which a traced process waiting for that core feels in its
   * tail latency. So, unless pollIntervalMs fixes it, the interval adapts: the next drain is timed so that
   * its work takes about DRAIN_TARGET_MS, within POLL_MIN_MS..POLL_MAX_MS (light traffic: few wakeups;
   * heavier traffic: short bursts, until at POLL_MIN_MS more wakeups would cost more than they spare a
   * saturated host). A ring filled past a quarter is drained again at once.
   */
  start(handler: BatchHandler): void {
    this.handler = handler;
    if (this.timer || this.immediate) return;
    let interval = this.fixedIntervalMs ?? POLL_MIN_MS;
    const tick = (): void => {
      this.timer = undefined;
      this.immediate = undefined;
      if (this.closed) return;
      const t0 = performance.now();
      this.poll();
      if (this.ring.pending > this.ring.capacity / 4) {
        this.immediate = setImmediate(tick);
        return;
      }
      if (this.fixedIntervalMs === undefined) {
        const busy = performance.now() - t0;
        const want = busy > 0 ? (interval * DRAIN_TARGET_MS) / busy : POLL_MAX_MS;
        // Halfway (geometrically) towards the interval that would have hit the target: no oscillation.
        interval = Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, Math.sqrt(interval * want)));
      }
      this.timer = setTimeout(tick, interval);
    };
    this.immediate = setImmediate(tick);
  }

  /** Stops the timer (events stay in the ring until the next poll). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  /** Events the kernel had to drop because the ring buffer was full. */
  drops(): DropCounts {
    const m = this.socketObj.map('drops');
    const key = Buffer.alloc(4);
    const byKind: Record<number, number> = {};
    let total = 0;
    for (let k = 0; k < 8; k++) {
      key.writeUInt32LE(k);
      const v = Number(m.sumPerCpuU64(key));
      if (v > 0) byKind[k] = v;
      total += v;
    }
    return { total, byKind };
  }

  /** Run time and runs of all the programs together; they only count while run statistics are on (enableRunStats). */
  runStats(): ProgramRunStats {
    const out = { runTimeNs: 0, runCount: 0 };
    for (const p of [...this.socketObj.programs(), ...this.procObj.programs()]) {
      if (!p.loaded) continue;
      const s = p.runStats();
      out.runTimeNs += s.runTimeNs;
      out.runCount += s.runCount;
    }
    return out;
  }

  /** Drains what is left to the handler, detaches everything and frees the objects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.stop();
    this.poll();
    this.closed = true;
    this.ring.close();
    this.procObj.close();
    this.socketObj.close();
    await Promise.resolve();
  }
}

/** ns to add to an event's CLOCK_MONOTONIC timestamp to get Unix-epoch ns. */
export function bootClockOffsetNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
}
