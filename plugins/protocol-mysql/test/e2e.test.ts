import assert from 'node:assert/strict';
import { canTraceBpf, runTraced, startTestAgent, type Row, type TestAgent } from '@nixie/e2e';
import mysql from 'mysql2/promise';
import { Command, RespStatus } from '../src/index.js';

const CONN = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' };

describe('e2e: MySQL (MariaDB) through BPF into mysql_events', function () {
  this.timeout(120_000);
  const why = canTraceBpf();
  let t: TestAgent;
  let conn: mysql.Connection;
  // Unique per run: the server is shared with other tests on this machine.
  const tag = `nixie_e2e_${process.pid}_${Date.now()}`;
  const has = (r: Row, s: string) => String(r.req_body).includes(s);

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    // MariaDB runs as a separate service: we trace our own (client) side of the connections.
    t = await startTestAgent({ plugins: ['@nixie/protocol-mysql'], config: { agent: { role_policy: 'client', body_limit_bytes: 512 } } });
    conn = await mysql.createConnection(CONN);
  });

  after(async () => {
    await conn?.query(`DROP TABLE IF EXISTS ${tag}`).catch(() => undefined);
    await conn?.end();
    await t?.stop();
  });

  it('records text-protocol queries: OK, result sets with row counts, ERR with its message', async () => {
    await conn.query(`CREATE TABLE ${tag} (id INT, name VARCHAR(20), at DATETIME)`);
    await conn.query(`INSERT INTO ${tag} VALUES (1, 'a', NOW()), (2, 'b', NOW()), (3, NULL, NULL)`);
    const [res] = await conn.query(`SELECT * FROM ${tag} ORDER BY id`);
    assert.equal((res as unknown[]).length, 3);
    await assert.rejects(conn.query(`SELECT * FROM ${tag}_missing`));
    const rows = await t.waitForRows('mysql_events', (r) => has(r, tag), { min: 4 });
    const find = (s: string) => rows.find((r) => String(r.req_body).startsWith(s))!;
    assert.equal(find('CREATE TABLE').resp_status, RespStatus.OK);
    assert.equal(find('INSERT').req_cmd, Command.QUERY);
    assert.equal(find('SELECT * FROM').resp_body, 'Resultset rows = 3');
    const err = rows.find((r) => has(r, '_missing'))!;
    assert.equal(err.resp_status, RespStatus.ERR);
    assert.equal(err.resp_body, `Table 'test.${tag}_missing' doesn't exist`);
    assert.ok(Number(find('INSERT').latency) > 0);
  });

  it('records prepared statements: PREPARE, EXECUTE with typed parameters, CLOSE', async () => {
    const sql = `SELECT id, name FROM ${tag} WHERE id >= ? AND name <> ? AND ? IS NULL`;
    await conn.execute(sql, [2, 'zz', null]);
    await conn.execute(sql, [1, 'a', null]);
    await conn.unprepare(sql);
    await conn.execute(`SELECT ? + 0.5 AS x, ? AS d /* ${tag} */`, [41.5, new Date(Date.UTC(2024, 1, 29, 13, 5, 9))]);
    const rows = await t.waitForRows('mysql_events', (r) => has(r, tag) && r.req_cmd !== Command.QUERY, { min: 6 });
    const prep = rows.filter((r) => r.req_cmd === Command.STMT_PREPARE);
    assert.ok(prep.some((r) => r.req_body === sql && r.resp_status === RespStatus.OK));
    const exec = rows.filter((r) => r.req_cmd === Command.STMT_EXECUTE);
    assert.deepEqual(
      exec.slice(0, 2).map((r) => [r.req_body, r.resp_body]),
      [
        [`${sql} params=[2, zz, NULL]`, 'Resultset rows = 1'],
        [`${sql} params=[1, a, NULL]`, 'Resultset rows = 1'],
      ],
    );
    assert.match(String(exec[2]!.req_body), /params=\[41\.5, 2024-02-29 \d\d:05:09/);
    const close = rows.find((r) => r.req_cmd === Command.STMT_CLOSE)!;
    assert.equal(close.req_body, sql);
    assert.equal(close.resp_status, RespStatus.NONE);
  });

  it('records COM_PING and COM_QUIT', async () => {
    const c = await mysql.createConnection(CONN);
    await c.ping();
    await c.end();
    await t.waitForRows('mysql_events', (r) => r.req_cmd === Command.PING && r.resp_status === RespStatus.OK);
    await t.waitForRows('mysql_events', (r) => r.req_cmd === Command.QUIT && r.resp_status === RespStatus.NONE);
  });

  it('records the mariadb CLI (handshake passed over, COM_INIT_DB from `use`, then its queries)', async () => {
    const out = await runTraced(t, 'mariadb', ['-h', CONN.host, '-P', String(CONN.port), '-u', 'root', '-N', '-e', `use test; SELECT 40 + 2 AS ${tag}`]);
    assert.equal(out.trim(), '42');
    const use = await t.waitForRows('mysql_events', (r) => r.req_cmd === Command.INIT_DB && r.req_body === 'test');
    assert.equal(use[0]!.resp_status, RespStatus.OK);
    const rows = await t.waitForRows('mysql_events', (r) => r.req_body === `SELECT 40 + 2 AS ${tag}`);
    assert.equal(rows[0]!.resp_body, 'Resultset rows = 1');
    assert.equal(rows[0]!.resp_status, RespStatus.OK);
  });
});
