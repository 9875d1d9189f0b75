import assert from 'node:assert/strict';
import { canTraceBpf, runTraced, startTestAgent, type Row, type TestAgent } from '@nixie/e2e';
import pg from 'pg';

const CONN = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const CLI = ['-h', CONN.host, '-p', String(CONN.port), '-U', CONN.user];
/** Database for psql and pgbench; sslmode=disable so that the bytes on the wire are readable. */
const DB = 'dbname=test sslmode=disable';

describe('e2e: PostgreSQL through BPF into pgsql_events', function () {
  this.timeout(120_000);
  const why = canTraceBpf();
  let t: TestAgent;
  let client: pg.Client;
  // Unique per run: the server is shared with other tests on this machine.
  const tag = `nixie_e2e_${process.pid}_${Date.now()}`;
  const has = (r: Row, s: string) => String(r.req).includes(s);

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    // PostgreSQL runs as a separate service: we trace our own (client) side of the connections.
    t = await startTestAgent({ plugins: ['@nixie/protocol-pgsql'], config: { agent: { role_policy: 'client', body_limit_bytes: 512 } } });
    client = new pg.Client(CONN);
    await client.connect();
  });

  after(async () => {
    await client?.end();
    await t?.stop();
  });

  it('records simple queries from pg with their command tags and errors', async () => {
    await client.query(`CREATE TEMP TABLE ${tag} (id int, name text)`);
    await client.query(`INSERT INTO ${tag} VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    const res = await client.query(`SELECT * FROM ${tag} ORDER BY id`);
    assert.equal(res.rowCount, 3);
    await assert.rejects(client.query(`SELECT * FROM ${tag}_missing`));
    const rows = await t.waitForRows('pgsql_events', (r) => has(r, tag), { min: 4 });
    const find = (s: string) => rows.find((r) => String(r.req).startsWith(s))!;
    assert.equal(find('CREATE TEMP TABLE').resp, 'CREATE TABLE');
    assert.equal(find('INSERT').resp, 'INSERT 0 3');
    assert.equal(find('SELECT * FROM').req_cmd, 'QUERY');
    assert.equal(rows.find((r) => r.req === `SELECT * FROM ${tag} ORDER BY id`)!.resp, 'SELECT 3');
    assert.equal(rows.find((r) => has(r, '_missing'))!.resp, `ERROR: relation "${tag}_missing" does not exist`);
    assert.ok(Number(find('INSERT').latency) > 0);
  });

  it('records extended queries (unnamed and named statements) with bound parameters', async () => {
    await client.query(`SELECT $1::int + $2::int AS sum, $3::text AS t /* ${tag} x */`, [1, 2, 'hé']);
    await client.query({ name: `${tag}_s`, text: `SELECT $1::int AS n /* ${tag} y */`, values: [7] });
    await client.query({ name: `${tag}_s`, text: `SELECT $1::int AS n /* ${tag} y */`, values: [8] });
    await client.query(`SELECT $1::int, $2::text /* ${tag} z */`, [null, 'x']);
    const rows = await t.waitForRows('pgsql_events', (r) => r.req_cmd === 'EXECUTE' && has(r, tag), { min: 4 });
    assert.deepEqual(
      rows.map((r) => [r.req, r.resp]),
      [
        [`SELECT $1::int + $2::int AS sum, $3::text AS t /* ${tag} x */ params=[1, 2, hé]`, 'SELECT 1'],
        [`SELECT $1::int AS n /* ${tag} y */ params=[7]`, 'SELECT 1'],
        [`SELECT $1::int AS n /* ${tag} y */ params=[8]`, 'SELECT 1'],
        [`SELECT $1::int, $2::text /* ${tag} z */ params=[NULL, x]`, 'SELECT 1'],
      ],
    );
  });

  it('records psql (startup passed over, then a query)', async () => {
    const out = await runTraced(t, 'psql', [...CLI, '-d', DB, '-Atc', `SELECT 40 + 2 AS ${tag}`]);
    assert.equal(out.trim(), '42');
    const rows = await t.waitForRows('pgsql_events', (r) => has(r, `AS ${tag}`));
    assert.equal(rows[0]!.req_cmd, 'QUERY');
    assert.equal(rows[0]!.resp, 'SELECT 1');
  });

  it('records every pgbench transaction statement (simple and prepared protocols)', async () => {
    await runTraced(t, 'pgbench', [...CLI, '-i', '-q', DB]);
    const n = 50;
    await runTraced(t, 'pgbench', [...CLI, '-n', '-t', String(n), '-c', '2', '-M', 'simple', DB]);
    await runTraced(t, 'pgbench', [...CLI, '-n', '-t', String(n), '-c', '2', '-M', 'prepared', DB]);
    const updates = await t.waitForRows('pgsql_events', (r) => String(r.req).startsWith('UPDATE pgbench_accounts'), { min: 4 * n, timeoutMs: 30_000 });
    assert.equal(updates.filter((r) => r.req_cmd === 'QUERY').length, 2 * n);
    const prepared = updates.filter((r) => r.req_cmd === 'EXECUTE');
    assert.equal(prepared.length, 2 * n);
    assert.ok(prepared.every((r) => /params=\[-?\d+, [-\d]+\]$/.test(String(r.req)) && r.resp === 'UPDATE 1'), JSON.stringify(prepared[0]));
  });
});
