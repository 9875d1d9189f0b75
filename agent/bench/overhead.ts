/**
 * `npm run bench -- overhead [seconds]`: the cost of tracing a Node HTTP server on loopback. The server and the
 * load generator are child processes; the agent runs in this process (so this process's CPU is the agent's).
 * Untraced and traced runs alternate: at a fixed 5 k req/s (autocannon -R) and at saturation (wrk).
 * Figures: agent_cpu_us_per_request, p99_latency_ratio, rows_captured_ratio, throughput_ratio.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { createAgent, type Agent } from '../src/index.js';
import { createLogger, validateConfig } from '@nixie/core';

const run = promisify(execFile);
const seconds = Number(process.argv[2] ?? 10);
const RATE = 5000;
const require = createRequire(import.meta.url);
const AUTOCANNON = path.join(path.dirname(require.resolve('autocannon/package.json')), 'autocannon.js');

const SERVER = `
const http = require('http');
const body = JSON.stringify({ ok: true, msg: 'hello from the overhead bench' });
const s = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length }); res.end(body); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
    child.once('error', reject);
  });
}

interface Fixed {
  requests: number;
  p99: number;
  p50: number;
}

async function fixedRate(port: number): Promise<Fixed> {
  const { stdout } = await run(process.execPath, [AUTOCANNON, '-j', '-c', '20', '-R', String(RATE), '-d', String(seconds), `http://127.0.0.1:${port}/api/ping`], { maxBuffer: 64 << 20 });
  const r = JSON.parse(stdout) as { requests: { total: number }; latency: { p99: number; p50: number }; '2xx': number };
  return { requests: r['2xx'], p99: r.latency.p99, p50: r.latency.p50 };
}

async function saturation(port: number): Promise<{ rps: number; requests: number }> {
  const { stdout } = await run('wrk', ['-t1', '-c32', `-d${seconds}s`, `http://127.0.0.1:${port}/api/ping`]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  return { rps, requests };
}

function rowsFor(agent: Agent, port: number): number {
  agent.poll();
  let n = 0;
  for (const b of agent.store.table('http_events').scan({ columns: ['local_port'] })) {
    const v = (b.columns[0] as { values: Float64Array }).values;
    for (let i = 0; i < b.length; i++) if (v[i] === port) n++;
  }
  return n;
}

async function traced<T>(agent: Agent, port: number, fn: () => Promise<T>): Promise<{ r: T; cpuUs: number; rows: number }> {
  await agent.start();
  const before = rowsFor(agent, port);
  const cpu0 = process.cpuUsage();
  const r = await fn();
  // Let the last events drain before counting.
  await new Promise((res) => setTimeout(res, 300));
  const rows = rowsFor(agent, port) - before;
  const c = process.cpuUsage(cpu0);
  await agent.stop();
  return { r, cpuUs: c.user + c.system, rows };
}

async function main(): Promise<void> {
  const { child, port } = await startServer();
  const config = validateConfig({
    log_level: 'warn',
    plugins: Object.fromEntries(['@nixie/protocol-http2', '@nixie/protocol-mysql', '@nixie/protocol-pgsql', '@nixie/protocol-redis', '@nixie/protocol-dns', '@nixie/source-process'].map((p) => [p, false])),
    store: { budget_bytes: 512 * 1024 * 1024 },
  });
  const mk = () => createAgent({ config, pidFilter: [child.pid!], log: createLogger('warn', 'agent') });
  try {
    await fixedRate(port); // warm the server's JIT
    const untracedFixed: Fixed[] = [];
    const tracedFixed: { r: Fixed; cpuUs: number; rows: number }[] = [];
    for (let round = 0; round < 2; round++) {
      untracedFixed.push(await fixedRate(port));
      tracedFixed.push(await traced(await mk(), port, () => fixedRate(port)));
    }
    const untracedSat = await saturation(port);
    const tracedSat = await traced(await mk(), port, () => saturation(port));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const tReq = sum(tracedFixed.map((t) => t.r.requests));
    const figures = {
      bench: 'overhead',
      seconds_per_run: seconds,
      offered_rate: RATE,
      untraced_requests: sum(untracedFixed.map((u) => u.requests)),
      traced_requests: tReq,
      agent_cpu_us_per_request: +(sum(tracedFixed.map((t) => t.cpuUs)) / tReq).toFixed(2),
      untraced_p99_ms: Math.max(...untracedFixed.map((u) => u.p99)),
      traced_p99_ms: Math.max(...tracedFixed.map((t) => t.r.p99)),
      p99_latency_ratio: +(
        sum(tracedFixed.map((t) => t.r.p99)) / Math.max(1e-9, sum(untracedFixed.map((u) => u.p99)))
      ).toFixed(3),
      rows_captured_ratio: +(sum(tracedFixed.map((t) => t.rows)) / tReq).toFixed(4),
      untraced_sat_rps: Math.round(untracedSat.rps),
      traced_sat_rps: Math.round(tracedSat.r.rps),
      throughput_ratio: +(tracedSat.r.rps / untracedSat.rps).toFixed(3),
      sat_agent_cpu_us_per_request: +(tracedSat.cpuUs / Math.max(1, tracedSat.r.requests)).toFixed(2),
      sat_rows_captured_ratio: +(tracedSat.rows / Math.max(1, tracedSat.r.requests)).toFixed(4),
    };
    console.log(JSON.stringify(figures));
  } finally {
    child.kill();
  }
}

await main();
