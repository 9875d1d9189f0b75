// `npm run bench -- query`: 1 M http_events rows. filter_project_ms and groupby_quantiles_ms in one
// process (runLocal); distributed_groupby_ms: the same groupby split over 3 agent processes on NATS,
// end to end through the broker. Last line: one JSON object of figures.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HTTP_EVENTS, TableStore, TABLES, type TableSchema } from '@nixie/core';
import { compileScript, runLocal } from '@nixie/engine';
import { NatsBus } from '../src/bus-nats.js';
import { startVizier } from '../src/vizier.js';
import { startNats } from '../test/nats-server.js';
import { fillBenchHttpEvents } from './http-data.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const AGENTS = 3;
const RUNS = 5;

const FILTER_PROJECT = `import px
df = px.DataFrame(table='http_events')
df = df[df.resp_status >= 400]
df = df[['time_', 'req_path', 'resp_status', 'latency']]
px.display(df, 'errors')
`;
const GROUPBY_QUANTILES = `import px
df = px.DataFrame(table='http_events')
df = df.groupby(['req_path', 'resp_status']).agg(n=('latency', px.count), lat=('latency', px.quantiles))
px.display(df, 'stats')
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
}

async function timeIt(runs: number, f: () => unknown): Promise<number> {
  await f();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const schemas = new Map<string, TableSchema>([...TABLES.values()].map((s) => [s.name, s]));

// Local figures.
process.stderr.write(`query bench: filling ${ROWS} rows...\n`);
const store = new TableStore({ budgetBytes: 4 * 1024 * 1024 * 1024, schemas: [HTTP_EVENTS] });
fillBenchHttpEvents(store.table('http_events'), ROWS, 1, Date.now() * 1e6);
const fp = compileScript(FILTER_PROJECT, { schemas });
const gq = compileScript(GROUPBY_QUANTILES, { schemas });
const filterProjectMs = await timeIt(RUNS, () => runLocal(fp, store));
const groupbyQuantilesMs = await timeIt(RUNS, () => runLocal(gq, store));
process.stderr.write(`query bench: local filter_project ${filterProjectMs} ms, groupby_quantiles ${groupbyQuantilesMs} ms\n`);

// Distributed figure: agents as processes on a private nats-server.
const nats = await startNats();
const bus = await NatsBus.connect({ url: nats.url, name: 'bench-vizier' });
const vizier = await startVizier({ bus, config: { vizier: { listen: '127.0.0.1:0', query_timeout_ms: 120_000 }, nats: { url: nats.url } }, api: false, ackTimeoutMs: 30_000 });
const children: ChildProcess[] = [];
let distributedMs: number;
let resultRows = 0;
try {
  const entry = fileURLToPath(new URL('./bench-agent.js', import.meta.url));
  const per = Math.ceil(ROWS / AGENTS);
  const ready = [];
  for (let i = 0; i < AGENTS; i++) {
    const child = fork(entry, [], { env: { ...process.env, NATS_URL: nats.url, AGENT_ID: `bench-${i}`, AGENT_ROWS: String(per), AGENT_SEED: String(i + 1) } });
    children.push(child);
    ready.push(new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`bench agent ${i} exited (${code})`)));
    }));
  }
  await Promise.all(ready);
  while (vizier.registry.live().length < AGENTS) await new Promise((r) => setTimeout(r, 20));
  process.stderr.write(`query bench: ${AGENTS} agents with ${per} rows each registered\n`);
  distributedMs = await timeIt(RUNS, async () => {
    resultRows = 0;
    for await (const e of vizier.broker.run({ script: GROUPBY_QUANTILES })) {
      if (e.type === 'batch') resultRows += e.batch.length;
      if (e.type === 'end' && e.warnings.length) throw new Error(`agents failed: ${JSON.stringify(e.warnings)}`);
    }
  });
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  await vizier.stop();
  await bus.close();
  await nats.stop();
}
console.log(
  JSON.stringify({
    bench: 'query',
    rows: ROWS,
    filter_project_ms: filterProjectMs,
    groupby_quantiles_ms: groupbyQuantilesMs,
    distributed_groupby_ms: distributedMs,
    agents: AGENTS,
    groups: resultRows,
  }),
);
