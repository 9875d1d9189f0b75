// `npm run bench -- otlp [spans]`: spans/s exported to a local OTLP/gRPC receiver (another process)
// and the agent-side CPU per span (process.cpuUsage around the whole export path: row mapping,
// queueing, OTLP encoding and gRPC). Last line: one JSON object.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, TableStore, type RowBatch } from '@nixie/core';
import { defaultOptions, OtlpExporter } from '../src/index.js';

const total = Number(process.argv[2] ?? 200_000);
const BATCH = 1024;

const child = fork(fileURLToPath(new URL('./receiver-child.js', import.meta.url)), { stdio: 'inherit' });
let received = 0;
const port = await new Promise<number>((resolve) => {
  child.on('message', (m: { port?: number; spans?: number }) => {
    if (m.port) resolve(m.port);
    if (m.spans) received += m.spans;
  });
});

// One batch of realistic http_events rows, exported again and again (the exporter copies what it keeps).
const store = new TableStore({ budgetBytes: 64 * 1024 * 1024 });
const t0 = Math.floor(Date.now() / 1000) * 1e9;
for (let i = 0; i < BATCH; i++) {
  store.table('http_events').appendRow({
    time_: t0 + i * 1000,
    upid: { high: process.pid, low: 1 },
    remote_addr: '10.1.2.3',
    remote_port: 40000 + (i % 1000),
    local_addr: '10.1.2.4',
    local_port: 8080,
    trace_role: 2,
    major_version: 1,
    minor_version: 1,
    req_headers: '{"Host":"svc:8080","User-Agent":"bench"}',
    req_method: i % 4 === 0 ? 'POST' : 'GET',
    req_path: `/api/v1/items/${i % 97}?q=${i}`,
    req_body: '{"a":1}',
    req_body_size: 7,
    resp_headers: '{"Content-Type":"application/json"}',
    resp_status: i % 50 === 0 ? 500 : 200,
    resp_message: 'OK',
    resp_body: '{"ok":true}',
    resp_body_size: 11,
    latency: 1_000_000 + i,
  });
}
const batches: RowBatch[] = store.table('http_events').takeUnpublished();

const exporter = new OtlpExporter(
  defaultOptions({
    endpoint: `127.0.0.1:${port}`,
    insecure: true,
    max_queue_size: total + BATCH,
    max_export_batch_size: 2048,
    max_concurrent_exports: 4,
    scheduled_delay_ms: 50,
    metrics: false,
  }),
  { log: createLogger('warn') },
);
await exporter.start();

const cpu0 = process.cpuUsage();
const wall0 = performance.now();
let offered = 0;
let mapCpuUs = 0;
while (offered < total) {
  const c = process.cpuUsage();
  for (const b of batches) exporter.export('http_events', b);
  const d = process.cpuUsage(c);
  mapCpuUs += d.user + d.system;
  offered += BATCH;
  // Yield so that sends proceed while rows keep coming, as they do in the agent.
  await new Promise((r) => setImmediate(r));
}
await exporter.forceFlush();
while (received < offered) await new Promise((r) => setTimeout(r, 20));
const wallS = (performance.now() - wall0) / 1000;
const cpu = process.cpuUsage(cpu0);
const st = exporter.stats();
await exporter.shutdown();
child.send({ stop: true });

const figures = {
  bench: 'otlp',
  spans: offered,
  received,
  dropped: st.dropped,
  spans_per_s: Math.round(offered / wallS),
  cpu_us_per_span: +((cpu.user + cpu.system) / offered).toFixed(2),
  map_cpu_us_per_span: +(mapCpuUs / offered).toFixed(2),
  wall_s: +wallS.toFixed(2),
};
console.log(`exported ${offered} spans in ${figures.wall_s} s: ${figures.spans_per_s} spans/s; agent CPU ${figures.cpu_us_per_span} µs/span (row mapping + queue: ${figures.map_cpu_us_per_span} µs/span)`);
console.log(JSON.stringify(figures));
