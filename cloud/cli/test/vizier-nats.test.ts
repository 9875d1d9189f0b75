import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HTTP_EVENTS, TableStore } from '@nixie/core';
import { attachAgent, NatsBus, type AttachedAgent } from '@nixie/vizier';

// Multi-host mode: `nixie vizier` on a private nats-server, an agent joining over NATS, `nixie run` through the API.

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'src', 'bin.js');
const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function nixie(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd, timeout: 60_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

describe('nixie vizier over NATS with an agent joining from another process', function () {
  this.timeout(60_000);
  let dir: string;
  let nats: ChildProcess;
  let vizier: ChildProcess;
  let bus: NatsBus;
  let agent: AttachedAgent;
  let cfg: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nixie-vizier-'));
    const natsPort = await freePort();
    const apiPort = await freePort();
    nats = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(natsPort)], { stdio: 'ignore' });
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          const c = connect(natsPort, '127.0.0.1');
          c.once('connect', () => (c.destroy(), resolve(true)));
          c.once('error', () => resolve(false));
        }),
      'nats-server',
    );
    cfg = path.join(dir, 'nixie.yaml');
    writeFileSync(cfg, `nats:\n  url: nats://127.0.0.1:${natsPort}\nvizier:\n  listen: 127.0.0.1:${apiPort}\n`);
    vizier = spawn(process.execPath, [bin, 'vizier', '-c', cfg], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    vizier.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await until(() => /API at/.test(out), 'nixie vizier to start');
    bus = await NatsBus.connect({ url: `nats://127.0.0.1:${natsPort}` });
    const store = new TableStore({ budgetBytes: 16 * 1024 * 1024, schemas: [HTTP_EVENTS] });
    const now = Date.now() * 1e6;
    for (let i = 0; i < 12; i++) store.table('http_events').appendRow({ time_: now - i * 1e6, req_path: `/p${i % 4}`, resp_status: 200, latency: i });
    agent = attachAgent(bus, store, { id: 'remote-host-1', heartbeatMs: 500 });
    await until(() => /remote-host-1 registered/.test(out), 'the agent to register');
  });

  after(async () => {
    await agent?.stop();
    await bus?.close();
    if (vizier && vizier.exitCode === null) {
      const exited = new Promise<number | null>((r) => vizier.once('exit', (c) => r(c)));
      vizier.kill('SIGTERM');
      assert.equal(await exited, 0, 'nixie vizier stops cleanly');
    }
    if (nats && nats.exitCode === null) {
      nats.kill('SIGTERM');
      await new Promise((r) => nats.once('exit', r));
    }
  });

  it('lists the remote agent and runs a query on it', async () => {
    const agents = await nixie(['get', 'agents', '-c', cfg], dir);
    assert.equal(agents.code, 0, agents.err);
    assert.match(agents.out, /remote-host-1\s+live/);
    writeFileSync(
      path.join(dir, 'q.pxl'),
      "import px\ndf = px.DataFrame(table='http_events', start_time='-5m')\ndf = df.groupby('req_path').agg(n=('latency', px.count))\npx.display(df, 'paths')\n",
    );
    const r = await nixie(['run', 'q.pxl', '-o', 'json', '-c', cfg], dir);
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as { _table: string; req_path: string; n: number });
    assert.deepEqual(rows.map((x) => [x._table, x.req_path, x.n]).sort(), [
      ['paths', '/p0', 3],
      ['paths', '/p1', 3],
      ['paths', '/p2', 3],
      ['paths', '/p3', 3],
    ]);
  });

  it('a `nixie agent` process traces HTTP with BPF, joins over NATS and answers queries', async function () {
    // An HTTP server in its own process, the only one the agent traces.
    const server = spawn(process.execPath, ['-e', "require('http').createServer((q,s)=>s.end('ok:'+q.url)).listen(0,'127.0.0.1',function(){console.log(this.address().port)})"], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let agentProc: ChildProcess | undefined;
    try {
      const port = Number(await new Promise<string>((r) => server.stdout!.once('data', (c: Buffer) => r(c.toString().trim()))));
      const natsUrl = /url: (\S+)/.exec(readFileSync(cfg, 'utf8'))![1]!;
      const agentCfg = path.join(dir, 'agent.yaml');
      writeFileSync(agentCfg, `nats:\n  url: ${natsUrl}\nagent:\n  id: bpf-host\n  pid_filter: [${server.pid}]\n`);
      agentProc = spawn(process.execPath, [bin, 'agent', '-c', agentCfg], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      agentProc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      await until(() => /joined NATS/.test(out), 'nixie agent to start', 30_000);
      await until(async () => /bpf-host\s+live/.test((await nixie(['get', 'agents', '-c', cfg], dir)).out), 'bpf-host to register');
      for (let i = 0; i < 3; i++) await (await fetch(`http://127.0.0.1:${port}/via-agent`)).text();
      writeFileSync(
        path.join(dir, 'q2.pxl'),
        "import px\ndf = px.DataFrame(table='http_events', start_time='-5m')\ndf = df[df.req_path == '/via-agent']\ndf = df.groupby(['req_path', 'resp_status']).agg(n=('latency', px.count))\npx.display(df, 'traced')\n",
      );
      let rows: { req_path: string; resp_status: number; n: number }[] = [];
      await until(async () => {
        const r = await nixie(['run', 'q2.pxl', '-o', 'json', '-c', cfg], dir);
        rows = r.out.trim() ? r.out.trim().split('\n').map((l) => JSON.parse(l) as { req_path: string; resp_status: number; n: number }) : [];
        return rows.length > 0 && rows[0]!.n === 3;
      }, 'three traced requests in http_events on bpf-host', 20_000);
      assert.deepEqual(rows.map((r) => [r.req_path, r.resp_status, r.n]), [['/via-agent', 200, 3]]);
    } finally {
      server.kill('SIGKILL');
      if (agentProc && agentProc.exitCode === null) {
        const exited = new Promise<number | null>((r) => agentProc!.once('exit', (c) => r(c)));
        agentProc.kill('SIGTERM');
        assert.equal(await exited, 0, 'nixie agent stops cleanly');
      }
    }
  });

  it('refuses to start without nats.url, in one line', async () => {
    writeFileSync(path.join(dir, 'nonats.yaml'), 'vizier:\n  listen: 127.0.0.1:0\n');
    const r = await nixie(['vizier', '-c', path.join(dir, 'nonats.yaml')], dir);
    assert.equal(r.code, 1);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /needs nats\.url/);
  });
});
