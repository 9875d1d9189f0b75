/**
 * `npm run bench -- overhead [seconds] [rounds]`: the cost of tracing a Node HTTP server on loopback (issue #7).
 *
 * The server and the load generator (wrk) are child processes; the agent runs in this process, so this
 * process's CPU is the agent's. Three modes, alternated round by round so that drift on this shared machine
 * hits them alike:
 * - `untraced`: nothing attached;
 * - `kernel`: the BPF programs attached, their events drained and discarded (what tracing costs the traced
 *   server in the kernel, without the agent's decoding);
 * - `traced`: the agent, decoding into http_events.
 * Each mode runs at a fixed offered rate (wrk paced by a Lua `delay()`, latency in µs) and at saturation.
 * Every run requests its own path, so rows are counted exactly against what the server says it answered.
 *
 * Last line: one JSON object with agent_cpu_us_per_request, p99_latency_ratio, rows_captured_ratio and
 * throughput_ratio (issue #7's targets), and the figures behind them; `hooks` is the socket hook kind used
 * (`--hooks=fexit|raw_tracepoint|tracepoint` forces one, for A/B runs). With `--modes=untraced,kernel` only the
 * kernel_* figures are given.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { enableRunStats, HOOK_KINDS_AUTO, SocketTracer, type HookKind } from '@nixie/bpf';
import { createLogger, stringAt, validateConfig, type NumberColumn, type StringColumn } from '@nixie/core';
import { createAgent, type Agent } from '../src/index.js';
import { BenchServer, childrenCpuUs, threadsCpuUs, tracepointPrograms, wrk, writeWrkScripts, type WrkResult } from './lib/load.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seconds = Number(positional[0] ?? 10);
const rounds = Number(positional[1] ?? 3);
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
/** `--only=fixed` or `--only=saturation` runs half of the bench; `--modes=traced` only some modes (profiling). */
const only = flag('only');
const MODES = (flag('modes')?.split(',') ?? ['untraced', 'kernel', 'traced']) as Mode[];
/**
 * `--profile=DIR` writes a V8 CPU profile of this process for every traced run. (Not `node --cpu-prof`: its
 * SIGPROF ticks interrupt the BPF verifier, which then fails the load with EAGAIN.)
 */
const PROFILE_DIR = flag('profile');
/** `--poll-ms=N`: the tracer's drain interval (default: the tracer's). */
const POLL_MS = flag('poll-ms') === undefined ? undefined : Number(flag('poll-ms'));
/** `--sched=batch|other`: the agent's agent.sched_policy (default batch, as the agent's) for A/B runs. */
const SCHED = (flag('sched') ?? 'batch') as 'batch' | 'other';
if (!['batch', 'other'].includes(SCHED)) throw new Error(`--sched=${SCHED}: batch or other`);
/** `--hooks=fexit|raw_tracepoint|tracepoint`: force socket_trace's hook kind (default auto: the first the kernel allows) for A/B runs. */
const HOOKS = (flag('hooks') ?? 'auto') as 'auto' | HookKind;
if (!['auto', ...HOOK_KINDS_AUTO].includes(HOOKS)) throw new Error(`--hooks=${HOOKS}: auto, ${HOOK_KINDS_AUTO.join(', ')}`);
/** `--ring-bytes=N`: agent.ring_buffer_bytes (a power of two; default the config's) for A/B runs. */
const RING_BYTES = flag('ring-bytes') === undefined ? undefined : Number(flag('ring-bytes'));
const RATE = 5000;
const FIXED_CONNS = 20;
const SAT_CONNS = 32;

type Mode = 'untraced' | 'kernel' | 'traced';
type Load = 'fixed' | 'saturation';

interface RunResult {
  mode: Mode;
  load: Load;
  round: number;
  wrk: WrkResult;
  /** Requests the server answered on this run's path. */
  served: number;
  serverCpuUs: number;
  /** Time the server was runnable but not running (waiting for a core). */
  serverWaitUs: number;
  wrkCpuUs: number;
  /** This process's CPU (the agent, or the kernel mode's drain). */
  agentCpuUs: number;
  rows: number;
  drops: number;
  /** Summed over every program, with run statistics on (fixed-rate kernel runs). */
  bpfRunNs: number;
  bpfRuns: number;
  /** Tracepoint BPF programs loaded by others when the run started. */
  foreign: number;
}

/** Rows of http_events for `reqPath` on the server's port. */
function rowsFor(agent: Agent, port: number, reqPath: string): number {
  let n = 0;
  for (const b of agent.store.table('http_events').scan({ columns: ['local_port', 'req_path'] })) {
    const ports = (b.columns[0] as NumberColumn).values;
    const paths = b.columns[1] as StringColumn;
    for (let i = 0; i < b.length; i++) if (ports[i] === port && stringAt(paths, i) === reqPath) n++;
  }
  return n;
}

async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  return session;
}

async function stopProfile(session: Session, file: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  console.log(`profile: ${file}`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const round = (x: number, digits = 2): number => +x.toFixed(digits);
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nixie-overhead-'));
  const { paced, closed } = writeWrkScripts(dir, RATE);
  const server = await BenchServer.start();
  const config = validateConfig({
    log_level: 'warn',
    plugins: Object.fromEntries(
      ['@nixie/protocol-http2', '@nixie/protocol-mysql', '@nixie/protocol-pgsql', '@nixie/protocol-redis', '@nixie/protocol-dns', '@nixie/source-process'].map((p) => [p, false]),
    ),
    // One agent per run: room for a saturation run's rows without eviction.
    store: { budget_bytes: 1024 * 1024 * 1024, tables: { http_events: 0.9 } },
    agent: { bpf_hooks: HOOKS, sched_policy: SCHED, ...(RING_BYTES === undefined ? {} : { ring_buffer_bytes: RING_BYTES }) },
  });
  const tracerOptions = {
    ringBufferBytes: config.agent.ring_buffer_bytes,
    dataCap: Math.min(config.agent.max_data_bytes, 32768),
    pidFilter: [server.child.pid!],
    excludePid: process.pid,
    pollIntervalMs: POLL_MS,
    hooks: HOOKS,
  };
  /** The hook kind the runs used (auto: whichever loaded), from the first traced or kernel run. */
  let hooksUsed: string | undefined;

  const measure = async (mode: Mode, load: Load, r: number, secs = seconds): Promise<RunResult> => {
    const reqPath = `/${load}/${mode}/${r}`;
    const url = `http://127.0.0.1:${server.port}${reqPath}`;
    const foreign = await tracepointPrograms();
    let agent: Agent | undefined;
    let tracer: SocketTracer | undefined;
    let stats: { close(): void } | undefined;
    if (mode === 'traced') {
      agent = await createAgent({ config, pidFilter: [server.child.pid!], log: createLogger('warn', 'agent'), tracer: { pollIntervalMs: POLL_MS } });
      await agent.start();
      hooksUsed ??= agent.stats().bpfHooks;
    } else if (mode === 'kernel') {
      tracer = SocketTracer.open(tracerOptions);
      if (!hooksUsed) console.log(`hooks: ${tracer.hookKind} (${tracer.hookReason})`);
      hooksUsed ??= tracer.hookKind;
      tracer.start(() => {});
      if (load === 'fixed') stats = enableRunStats();
    }
    const profiler = PROFILE_DIR && mode !== 'untraced' ? await startProfile() : undefined;
    const bpf0 = tracer?.runStats();
    const threads0 = threadsCpuUs();
    const cpu0 = process.cpuUsage();
    const server0 = server.cpuUs();
    const wait0 = server.waitUs();
    const wrk0 = childrenCpuUs();
    const w = await wrk(load === 'fixed' ? paced : closed, load === 'fixed' ? FIXED_CONNS : SAT_CONNS, url, secs);
    const wrkCpuUs = childrenCpuUs() - wrk0;
    // Let the last events drain (the tracer polls on its own), then take what is left.
    await sleep(300);
    agent?.poll();
    tracer?.poll();
    const c = process.cpuUsage(cpu0);
    const threads = [...threadsCpuUs()].map(([k, v]) => [k, v - (threads0.get(k) ?? 0)] as const).filter(([, v]) => v > 0);
    if (profiler) await stopProfile(profiler, path.join(PROFILE_DIR!, `overhead-${load}-${mode}-${r}.cpuprofile`));
    const serverCpuUs = server.cpuUs() - server0;
    const serverWaitUs = server.waitUs() - wait0;
    const bpf1 = tracer?.runStats();
    stats?.close();
    const served = await server.served(reqPath);
    const rows = agent ? rowsFor(agent, server.port, reqPath) : 0;
    const drops = agent ? agent.stats().eventsDropped : tracer ? tracer.drops().total : 0;
    await agent?.stop();
    await tracer?.close();
    const res: RunResult = {
      mode, load, round: r, wrk: w, served, serverCpuUs, serverWaitUs, wrkCpuUs, agentCpuUs: c.user + c.system, rows, drops,
      bpfRunNs: bpf1 && bpf0 ? bpf1.runTimeNs - bpf0.runTimeNs : 0,
      bpfRuns: bpf1 && bpf0 ? bpf1.runCount - bpf0.runCount : 0,
      foreign,
    };
    const rps = (w.requests / w.duration_us) * 1e6;
    console.log(
      `${load.padEnd(10)} ${mode.padEnd(8)} round ${r}: ${Math.round(rps)} req/s, p50 ${w.p50} µs, p99 ${w.p99} µs, p99.9 ${w.p999} µs, ` +
        `served ${served}, server ${round(serverCpuUs / served)} µs/req (waited ${round(serverWaitUs / served)}), wrk ${round(wrkCpuUs / served)} µs/req` +
        `, this process ${round(res.agentCpuUs / served)} µs/req (${round(c.system / served)} sys)` +
        (agent ? `, rows ${rows}` : '') +
        (res.bpfRuns ? `, bpf ${Math.round(res.bpfRunNs / served)} ns/req in ${round(res.bpfRuns / served)} runs` : '') +
        (drops ? `, drops ${drops}` : '') +
        (w.errors ? `, wrk errors ${w.errors}` : '') +
        (foreign ? ` [${foreign} BPF tracepoint programs of others were loaded]` : '') +
        (process.env.NIXIE_BENCH_THREADS ? `\n  threads µs/req: ${threads.map(([k, v]) => `${k} ${round(v / served)}`).join(', ')}` : ''),
    );
    return res;
  };

  const results: RunResult[] = [];
  try {
    // Round 0 is not counted: it warms the server's JIT and the agent's (a long-running agent is warm).
    await measure('untraced', 'fixed', 0);
    if (MODES.includes('traced')) await measure('traced', 'fixed', 0, Math.min(seconds, 5));
    const modes = MODES;
    const loads: Load[] = only === 'fixed' ? ['fixed'] : only === 'saturation' ? ['saturation'] : ['fixed', 'saturation'];
    for (const load of loads) {
      for (let r = 1; r <= rounds; r++) {
        // Rotate the order too, so that no mode always follows the same one.
        for (let k = 0; k < modes.length; k++) results.push(await measure(modes[(k + r - 1) % modes.length]!, load, r));
      }
    }
  } finally {
    server.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ hooks: hooksUsed, sched_policy: SCHED, ...summarize(results) }));
}

function summarize(results: RunResult[]): Record<string, unknown> {
  const of = (mode: Mode, load: Load) => results.filter((r) => r.mode === mode && r.load === load);
  const perReq = (rs: RunResult[], f: (r: RunResult) => number) => round(sum(rs.map(f)) / Math.max(1, sum(rs.map((r) => r.served))));
  const rps = (r: RunResult) => (r.wrk.requests / r.wrk.duration_us) * 1e6;
  const out: Record<string, unknown> = {
    bench: 'overhead',
    seconds_per_run: seconds,
    rounds,
    offered_rate: RATE,
    runs_with_foreign_bpf: results.filter((r) => r.foreign > 0).length,
  };
  const fu = of('untraced', 'fixed');
  const fk = of('kernel', 'fixed');
  const ft = of('traced', 'fixed');
  if (fk.length && fu.length) {
    const p99u = median(fu.map((r) => r.wrk.p99));
    const p99k = median(fk.map((r) => r.wrk.p99));
    Object.assign(out, {
      untraced_p99_us: p99u,
      kernel_p99_us: p99k,
      untraced_p99s_us: fu.map((r) => r.wrk.p99),
      kernel_p99s_us: fk.map((r) => r.wrk.p99),
      kernel_p99_latency_ratio: round(p99k / p99u, 3),
      kernel_drain_cpu_us_per_request: perReq(fk, (r) => r.agentCpuUs),
      bpf_ns_per_request: perReq(fk, (r) => r.bpfRunNs),
      bpf_runs_per_request: perReq(fk, (r) => r.bpfRuns),
      fixed_server_cpu_us_per_request: { untraced: perReq(fu, (r) => r.serverCpuUs), kernel: perReq(fk, (r) => r.serverCpuUs) },
    });
  }
  if (ft.length) {
    const p99u = median(fu.map((r) => r.wrk.p99));
    const p99k = median(fk.map((r) => r.wrk.p99));
    const p99t = median(ft.map((r) => r.wrk.p99));
    Object.assign(out, {
      agent_cpu_us_per_request: perReq(ft, (r) => r.agentCpuUs),
      p99_latency_ratio: round(p99t / p99u, 3),
      rows_captured_ratio: round(sum(ft.map((r) => r.rows)) / sum(ft.map((r) => r.served)), 5),
      fixed_achieved_rps: Math.round(median([...fu, ...fk, ...ft].map(rps))),
      untraced_p99_us: p99u,
      kernel_p99_us: p99k,
      traced_p99_us: p99t,
      untraced_p99s_us: fu.map((r) => r.wrk.p99),
      kernel_p99s_us: fk.map((r) => r.wrk.p99),
      traced_p99s_us: ft.map((r) => r.wrk.p99),
      untraced_p50_us: median(fu.map((r) => r.wrk.p50)),
      traced_p50_us: median(ft.map((r) => r.wrk.p50)),
      kernel_p99_latency_ratio: round(p99k / p99u, 3),
      fixed_server_cpu_us_per_request: { untraced: perReq(fu, (r) => r.serverCpuUs), kernel: perReq(fk, (r) => r.serverCpuUs), traced: perReq(ft, (r) => r.serverCpuUs) },
      fixed_wrk_cpu_us_per_request: { untraced: perReq(fu, (r) => r.wrkCpuUs), kernel: perReq(fk, (r) => r.wrkCpuUs), traced: perReq(ft, (r) => r.wrkCpuUs) },
      kernel_drain_cpu_us_per_request: perReq(fk, (r) => r.agentCpuUs),
      bpf_ns_per_request: perReq(fk, (r) => r.bpfRunNs),
      bpf_runs_per_request: perReq(fk, (r) => r.bpfRuns),
      fixed_drops: sum([...fk, ...ft].map((r) => r.drops)),
    });
  }
  const su = of('untraced', 'saturation');
  const sk = of('kernel', 'saturation');
  const st = of('traced', 'saturation');
  if (sk.length && su.length) {
    const ru = median(su.map(rps));
    const rk = median(sk.map(rps));
    Object.assign(out, {
      kernel_throughput_ratio: round(rk / ru, 3),
      untraced_sat_rps: Math.round(ru),
      kernel_sat_rps: Math.round(rk),
      untraced_sat_rps_runs: su.map((r) => Math.round(rps(r))),
      kernel_sat_rps_runs: sk.map((r) => Math.round(rps(r))),
      sat_server_cpu_us_per_request: { untraced: perReq(su, (r) => r.serverCpuUs), kernel: perReq(sk, (r) => r.serverCpuUs) },
      sat_drops: sum(sk.map((r) => r.drops)),
    });
  }
  if (st.length) {
    const ru = median(su.map(rps));
    const rk = median(sk.map(rps));
    const rt = median(st.map(rps));
    Object.assign(out, {
      throughput_ratio: round(rt / ru, 3),
      kernel_throughput_ratio: round(rk / ru, 3),
      untraced_sat_rps: Math.round(ru),
      kernel_sat_rps: Math.round(rk),
      traced_sat_rps: Math.round(rt),
      untraced_sat_rps_runs: su.map((r) => Math.round(rps(r))),
      kernel_sat_rps_runs: sk.map((r) => Math.round(rps(r))),
      traced_sat_rps_runs: st.map((r) => Math.round(rps(r))),
      sat_agent_cpu_us_per_request: perReq(st, (r) => r.agentCpuUs),
      sat_rows_captured_ratio: round(sum(st.map((r) => r.rows)) / sum(st.map((r) => r.served)), 5),
      sat_server_cpu_us_per_request: { untraced: perReq(su, (r) => r.serverCpuUs), kernel: perReq(sk, (r) => r.serverCpuUs), traced: perReq(st, (r) => r.serverCpuUs) },
      sat_server_wait_us_per_request: { untraced: perReq(su, (r) => r.serverWaitUs), kernel: perReq(sk, (r) => r.serverWaitUs), traced: perReq(st, (r) => r.serverWaitUs) },
      sat_wrk_cpu_us_per_request: { untraced: perReq(su, (r) => r.wrkCpuUs), kernel: perReq(sk, (r) => r.wrkCpuUs), traced: perReq(st, (r) => r.wrkCpuUs) },
      sat_drops: sum([...sk, ...st].map((r) => r.drops)),
    });
  }
  return out;
}

await main();
