// `npm run bench -- completeness`: how many requests of real load generators end up as rows, per protocol.
// redis-benchmark (-n 20000 -c 10 -t get,set), pgbench (-t 1000 -c 4, simple protocol) and 10 k mysql2
// queries run while an in-process agent traces this process and its children (client side). The last
// line is JSON with rows/requests per protocol (target >= 0.999 each).
import { runTraced, startTestAgent, type Row, type TestAgent } from '@nixie/e2e';
import mysql from 'mysql2/promise';

const MARK = `nixie_completeness_${process.pid}`;
const PG = ['-h', '127.0.0.1', '-p', '5432', '-U', 'postgres'];

interface Figure {
  requests: number;
  rows: number;
  ratio: number;
  seconds: number;
}

/** Waits until `count()` reaches `want` or stops growing for 3 s; returns the last count. */
async function settle(t: TestAgent, count: () => number, want: number): Promise<number> {
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    t.agent.poll();
    const n = count();
    if (n >= want) return n;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 3000) {
      return n;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function counter(t: TestAgent, table: string, match: (r: Row) => boolean): () => number {
  return () => t.rows(table).filter(match).length;
}

function figure(requests: number, rows: number, t0: number): Figure {
  return { requests, rows, ratio: Number((rows / requests).toFixed(5)), seconds: Number(((Date.now() - t0) / 1000).toFixed(2)) };
}

async function redis(t: TestAgent): Promise<Figure> {
  const n = 20_000;
  const t0 = Date.now();
  await runTraced(t, 'redis-benchmark', ['-h', '127.0.0.1', '-p', '6379', '-n', String(n), '-c', '10', '-t', 'get,set', '-q'], 300_000);
  const count = counter(t, 'redis_events', (r) => (r.req_cmd === 'SET' || r.req_cmd === 'GET') && String(r.req_args).includes('key:__rand_int__'));
  return figure(2 * n, await settle(t, count, 2 * n), t0);
}

/** pgbench's TPC-B-like transaction: 7 statements. */
const PGBENCH_STATEMENT = /^(BEGIN|END|UPDATE pgbench_(accounts|tellers|branches)|SELECT abalance FROM pgbench_accounts|INSERT INTO pgbench_history)/;

async function pgsql(t: TestAgent): Promise<Figure> {
  await runTraced(t, 'pgbench', [...PG, '-i', '-q', 'test'], 300_000);
  const before = counter(t, 'pgsql_events', (r) => PGBENCH_STATEMENT.test(String(r.req)))();
  const txns = 1000;
  const clients = 4;
  const t0 = Date.now();
  await runTraced(t, 'pgbench', [...PG, '-n', '-t', String(txns), '-c', String(clients), '-M', 'simple', 'test'], 300_000);
  const want = 7 * txns * clients;
  const count = () => counter(t, 'pgsql_events', (r) => PGBENCH_STATEMENT.test(String(r.req)))() - before;
  return figure(want, await settle(t, count, want), t0);
}

async function mysqlLoad(t: TestAgent): Promise<Figure> {
  const total = 10_000;
  const conns = 4;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: conns }, async (_, c) => {
      const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
      for (let i = c; i < total; i += conns) await conn.query(`SELECT ${i} + 1 AS n /* ${MARK} */`);
      await conn.end();
    }),
  );
  const count = counter(t, 'mysql_events', (r) => String(r.req_body).includes(MARK));
  return figure(total, await settle(t, count, total), t0);
}

async function main(): Promise<void> {
  process.env.PGSSLMODE = 'disable';
  const t = await startTestAgent({
    plugins: ['@nixie/protocol-redis', '@nixie/protocol-pgsql', '@nixie/protocol-mysql'],
    config: { agent: { role_policy: 'client' }, store: { budget_bytes: 1024 * 1024 * 1024 } },
  });
  try {
    const out: Record<string, Figure> = {};
    for (const [name, run] of [
      ['redis', redis],
      ['pgsql', pgsql],
      ['mysql', mysqlLoad],
    ] as const) {
      out[name] = await run(t);
      console.log(`${name}: ${out[name].rows} rows / ${out[name].requests} requests = ${out[name].ratio} (${out[name].seconds} s)`);
    }
    const s = t.agent.stats();
    console.log(`agent: events ${s.eventsIn}, dropped ${s.eventsDropped}, decode errors ${s.decodeErrors}, stitch errors ${s.stitchErrors}`);
    console.log(
      JSON.stringify({
        bench: 'completeness',
        unit: 'rows/requests',
        redis: out.redis!.ratio,
        pgsql: out.pgsql!.ratio,
        mysql: out.mysql!.ratio,
        requests: { redis: out.redis!.requests, pgsql: out.pgsql!.requests, mysql: out.mysql!.requests },
        eventsDropped: s.eventsDropped,
      }),
    );
  } finally {
    await t.stop();
  }
}

await main();
