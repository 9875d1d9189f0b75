import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HTTP_EVENTS, TableStore } from '@nixie/core';
import { startLocalVizier, type LocalVizier } from '@nixie/vizier';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'src', 'bin.js');
const run = promisify(execFile);

/** Runs nixie without blocking this process, which serves the API the CLI talks to. */
async function nixie(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

const SCRIPT = `import px

def by_status(start_time: str):
    df = px.DataFrame(table='http_events', start_time=start_time)
    df = df.groupby(['req_path', 'resp_status']).agg(n=('latency', px.count))
    return df

df = px.DataFrame(table='http_events', start_time='-5m')
df = df[df.req_path == '/hello']
df = df[['req_path', 'resp_status', 'latency', 'req_body']]
px.display(df, 'hello')
`;

describe('nixie run / get agents against a vizier with an in-process agent', function () {
  this.timeout(120_000);
  let lv: LocalVizier;
  let dir: string;
  const now = Date.now() * 1e6;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nixie-run-'));
    const store = new TableStore({ budgetBytes: 64 * 1024 * 1024, schemas: [HTTP_EVENTS] });
    const t = store.table('http_events');
    for (let i = 0; i < 30; i++) {
      t.appendRow({
        time_: now - (30 - i) * 1e6,
        upid: { high: 42, low: 7 },
        req_method: 'GET',
        req_path: i % 3 === 0 ? '/hello' : '/other',
        resp_status: i % 2 ? 200 : 404,
        latency: 1000 + i,
        req_body: i === 0 ? 'a, "quoted"\nbody' : '',
      });
    }
    lv = await startLocalVizier({ config: { vizier: { listen: '127.0.0.1:0', query_timeout_ms: 10_000 }, nats: { url: '' } }, store, agentId: 'cli-test-agent' });
    writeFileSync(path.join(dir, 'hello.pxl'), SCRIPT);
    // A Pixie-format bundle directory: the function runs with the vis.json variable's default, or --start_time.
    const b = path.join(dir, 'by_status');
    mkdirSync(b);
    writeFileSync(path.join(b, 'by_status.pxl'), SCRIPT.replace(/\ndf = px.DataFrame[\s\S]*$/, '\n'));
    writeFileSync(path.join(b, 'manifest.yaml'), 'short: requests by status\nlong: requests by path and status\n');
    writeFileSync(
      path.join(b, 'vis.json'),
      JSON.stringify({
        variables: [{ name: 'start_time', type: 'PX_STRING', defaultValue: '-5m' }],
        globalFuncs: [{ outputName: 'by_status', func: { name: 'by_status', args: [{ name: 'start_time', variable: 'start_time' }] } }],
        widgets: [],
      }),
    );
  });
  after(async () => lv?.stop());

  it('runs a .pxl file with -o json: one object per row with _table', async () => {
    const r = await nixie(['run', 'hello.pxl', '-o', 'json', '--vizier', lv.url], dir);
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, 10);
    for (const row of rows) {
      assert.equal(row._table, 'hello');
      assert.equal(row.req_path, '/hello');
      assert.deepEqual(Object.keys(row), ['_table', 'req_path', 'resp_status', 'latency', 'req_body']);
    }
    assert.ok(rows.some((x) => x.req_body === 'a, "quoted"\nbody'));
  });

  it('prints csv with quoting, and an aligned table', async () => {
    const csv = await nixie(['run', 'hello.pxl', '-o', 'csv', '--vizier', lv.url], dir);
    assert.equal(csv.code, 0, csv.err);
    const lines = csv.out.split('\n');
    assert.equal(lines[0], '_table,req_path,resp_status,latency,req_body');
    assert.match(csv.out, /"a, ""quoted""\nbody"/);
    const table = await nixie(['run', 'hello.pxl', '--vizier', lv.url], dir);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^hello \(10 rows\)\n/);
    assert.match(table.out, /REQ_PATH\s+RESP_STATUS\s+LATENCY\s+REQ_BODY/);
    assert.equal(table.out.split('\n').filter((l) => l.startsWith('/hello')).length, 10);
  });

  it('runs a bundle directory with vis.json defaults and with -- --arg value', async () => {
    const r = await nixie(['run', 'by_status', '-o', 'json', '--vizier', lv.url], dir);
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as { _table: string; req_path: string; resp_status: number; n: number });
    assert.equal(rows.reduce((s, x) => s + x.n, 0), 30);
    assert.ok(rows.every((x) => x._table === 'by_status'));
    // A window that ends before the data: the argument reaches the function.
    const none = await nixie(['run', 'by_status', '-o', 'json', '--vizier', lv.url, '--', '--start_time', '-1ms'], dir);
    assert.equal(none.code, 0, none.err);
    assert.ok(none.out.trim().split('\n').filter(Boolean).length < rows.length || none.out.trim() === '');
  });

  it('fails in one line: compile errors with position, unknown arguments, unreachable vizier', async () => {
    writeFileSync(path.join(dir, 'bad.pxl'), "import px\ndf = px.DataFrame(table='http_evnts')\npx.display(df)\n");
    const bad = await nixie(['run', 'bad.pxl', '--vizier', lv.url], dir);
    assert.equal(bad.code, 1);
    assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
    assert.match(bad.err, /2:\d+/);
    assert.match(bad.err, /http_events/);
    const arg = await nixie(['run', 'by_status', '--vizier', lv.url, '--', '--start_tme', '-5m'], dir);
    assert.equal(arg.code, 1);
    assert.match(arg.err, /start_tme/);
    const down = await nixie(['run', 'hello.pxl', '--vizier', 'http://127.0.0.1:1'], dir);
    assert.equal(down.code, 1);
    assert.match(down.err, /cannot reach vizier at http:\/\/127\.0\.0\.1:1/);
  });

  it('get agents lists the agent', async () => {
    const r = await nixie(['get', 'agents', '--vizier', lv.url], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ID\s+STATE\s+HOST/);
    assert.match(r.out, /cli-test-agent\s+live/);
    const j = await nixie(['get', 'agents', '-o', 'json', '--vizier', lv.url], dir);
    assert.equal((JSON.parse(j.out.trim()) as { id: string }).id, 'cli-test-agent');
  });

  it('scripts list and help for the new commands', async () => {
    for (const args of [['run', '--help'], ['scripts', 'list', '--help'], ['get', 'agents', '--help']]) {
      const r = await nixie(args, dir);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /Usage: nixie/);
    }
    const r = await nixie(['scripts', 'list'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^NAME\s+DESCRIPTION/);
  });
});
