/**
 * The overhead bench's load side: the HTTP server under test (a child process that counts what it answered,
 * per path), wrk with Lua that paces a fixed rate and prints µs latency percentiles, and CPU accounting
 * from /proc.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** µs per clock tick, the unit of CPU times in /proc/<pid>/stat. */
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const SERVER = `
const http = require('http');
const body = JSON.stringify({ ok: true, msg: 'hello from the overhead bench' });
const served = new Map();
const s = http.createServer((req, res) => {
  served.set(req.url, (served.get(req.url) || 0) + 1);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
});
s.keepAliveTimeout = 60000;
process.on('message', (m) => process.send({ path: m.path, served: served.get(m.path) || 0 }));
s.listen(0, '127.0.0.1', () => process.send({ port: s.address().port }));
`;

// wrk's Lua: done() prints the figures as one line (latency in µs); the paced variant's delay() hands each
// connection that is ready the next slot of a fixed schedule (open loop while connections are free).
const DONE = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('NIXIE_WRK {"requests":%d,"duration_us":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
`;
const PACED = (rate: number) => `
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } nixie_timespec; int clock_gettime(int clk, nixie_timespec *ts); ]]
local ts = ffi.new("nixie_timespec")
local function now_ms() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) * 1e3 + tonumber(ts.tv_nsec) / 1e6 end
local interval = 1000 / ${rate}
local next_at
function delay()
  local now = now_ms()
  if not next_at then next_at = now end
  local at = next_at
  next_at = at + interval
  local d = at - now
  if d <= 0 then return 0 end
  return math.floor(d + 0.5)
end
${DONE}`;

/** Writes wrk's two scripts into `dir`: paced at `rate` requests/s (all connections together), and closed loop. */
export function writeWrkScripts(dir: string, rate: number): { paced: string; closed: string } {
  const paced = path.join(dir, 'paced.lua');
  const closed = path.join(dir, 'closed.lua');
  writeFileSync(paced, PACED(rate));
  writeFileSync(closed, DONE);
  return { paced, closed };
}

/** What wrk's done() prints: counts, and latency percentiles in µs. */
export interface WrkResult {
  requests: number;
  duration_us: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The HTTP server under test. */
export class BenchServer {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<BenchServer> {
    const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the bench server exited (${code})`)));
    });
    return new BenchServer(child, port);
  }

  /** Requests answered on `p`, by the server's own count. */
  served(p: string): Promise<number> {
    return new Promise((resolve) => {
      const on = (m: { path?: string; served?: number }) => {
        if (m.path !== p) return;
        this.child.off('message', on);
        resolve(m.served ?? 0);
      };
      this.child.on('message', on);
      this.child.send({ path: p });
    });
  }

  /** Time its main thread spent runnable but waiting for a CPU, µs (/proc/<pid>/schedstat). */
  waitUs(): number {
    return Number(readFileSync(`/proc/${this.child.pid}/schedstat`, 'utf8').split(' ')[1]) / 1000;
  }

  /** utime + stime, µs. */
  cpuUs(): number {
    return procCpuUs(`/proc/${this.child.pid}/stat`, 13);
  }
}

/** Fields `at` and `at + 1` (0-based, after the comm) of a /proc stat file, in µs. */
export function procCpuUs(file: string, at: number): number {
  const s = readFileSync(file, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): field n is f[n - 3].
  return (Number(f[at - 2]) + Number(f[at - 1])) * TICK_US;
}

/** CPU of each of this process's threads, µs, by thread name and id. */
export function threadsCpuUs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      out.set(`${name}/${tid}`, procCpuUs(`/proc/self/task/${tid}/stat`, 13));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/** CPU of this process's reaped children (wrk), µs: cutime + cstime. */
export const childrenCpuUs = (): number => procCpuUs('/proc/self/stat', 15);

/**
 * BPF programs on tracepoints loaded by anyone (other tracers, other tests on this shared machine): they
 * slow every syscall, so a run with some that are not ours is not a clean baseline.
 */
export async function tracepointPrograms(): Promise<number> {
  // The last run's own programs stay listed for a moment after they were closed (the kernel frees them after an
  // RCU grace period): wait up to 2 s for Nixie's to go; any left then belong to someone else.
  let progs: { type: string; name?: string }[] = [];
  for (let i = 0; i < 20; i++) {
    try {
      const { stdout } = await run('bpftool', ['prog', 'show', '-j'], { maxBuffer: 16 << 20 });
      progs = (JSON.parse(stdout) as { type: string; name?: string }[]).filter((p) => /tracepoint|tracing/.test(p.type));
    } catch {
      return 0;
    }
    if (!progs.some((p) => p.name?.startsWith('nixie_'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return progs.length;
}

/** Runs wrk (one thread) and returns its figures. */
export async function wrk(script: string, conns: number, url: string, secs: number): Promise<WrkResult> {
  // chrt --other: the load generator runs with the default policy, whatever the agent set on this thread
  // (agent.sched_policy batch is inherited by the processes it spawns).
  const { stdout } = await run('chrt', ['--other', '0', 'wrk', '-t1', `-c${conns}`, `-d${secs}s`, '-s', script, url], { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('NIXIE_WRK '));
  if (!line) throw new Error(`wrk printed no figures:\n${stdout}`);
  return JSON.parse(line.slice('NIXIE_WRK '.length)) as WrkResult;
}

