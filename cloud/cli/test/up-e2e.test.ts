import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// End to end: `nixie up` (real agent with BPF, vizier, API in one process) + HTTP traffic from a server
// process + `nixie run px/http_data -o json` shows those requests. Root and BTF are required, as for every
// BPF test on our machines.

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

async function nixie(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

function get(port: number, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** Resolves with the first stdout line matching `re`; rejects if the process exits first. */
function waitForLine(child: ChildProcess, re: RegExp, ms: number, log: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`nixie up did not print ${re} within ${ms} ms:\n${log.join('')}`)), ms);
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = buf.split('\n').find((l) => re.test(l));
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nixie up exited (${code}) before ${re}:\n${log.join('')}`));
    });
  });
}

describe('e2e: nixie up + HTTP traffic + nixie run px/http_data', function () {
  this.timeout(120_000);
  let dir: string;
  let server: ChildProcess | undefined;
  let up: ChildProcess | undefined;
  let serverPort: number;
  let apiPort: number;
  const log: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nixie-up-e2e-'));
    serverPort = await freePort();
    apiPort = await freePort();
    // The HTTP server is its own process, so the agent can trace just it (agent.pid_filter).
    server = spawn(
      process.execPath,
      ['-e', `require('http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(q.url.endsWith('/missing') ? 404 : 200, {'content-type': 'text/plain'}); s.end('hi from ' + q.url); }); }).listen(${serverPort}, '127.0.0.1', () => console.log('listening'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => server!.stdout!.once('data', () => resolve()));
    writeFileSync(
      path.join(dir, 'nixie.yaml'),
      [
        `data_dir: ${dir}/data`,
        'log_level: warn',
        'agent:',
        `  pid_filter: [${server.pid}]`,
        'vizier:',
        `  listen: 127.0.0.1:${apiPort}`,
        '',
      ].join('\n'),
    );
    up = spawn(process.execPath, [bin, 'up', '-c', path.join(dir, 'nixie.yaml')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    up.stdout!.on('data', (c: Buffer) => log.push(c.toString()));
    up.stderr!.on('data', (c: Buffer) => log.push(c.toString()));
    await waitForLine(up, /running/, 60_000, log);
  });

  after(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise<number | null>((r) => up!.once('exit', (code) => r(code)));
      up.kill('SIGINT');
      const code = await exited;
      assert.equal(code, 0, `nixie up stops cleanly on SIGINT:\n${log.join('')}`);
    }
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
  });

  it('shows the requests made while nixie up runs', async () => {
    const tag = `e2e-${process.pid}-${Date.now()}`;
    for (let i = 0; i < 5; i++) assert.equal(await get(serverPort, `/${tag}/ok`), 200);
    assert.equal(await get(serverPort, `/${tag}/missing`), 404);

    const agents = await nixie(['get', 'agents', '-c', path.join(dir, 'nixie.yaml')], dir);
    assert.equal(agents.code, 0, agents.err);
    assert.match(agents.out, /\blive\b/);

    // The agent drains its ring buffer on a timer: poll until the rows are queryable.
    let rows: Record<string, unknown>[] = [];
    const deadline = Date.now() + 30_000;
    let last = { code: 0, out: '', err: '' };
    while (Date.now() < deadline) {
      last = await nixie(['run', 'px/http_data', '-o', 'json', '-c', path.join(dir, 'nixie.yaml')], dir);
      assert.equal(last.code, 0, last.err);
      rows = last.out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => String(r.req_path).includes(tag));
      if (rows.length >= 6) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(rows.length, 6, `rows for ${tag} in:\n${last.out.slice(0, 2000)}\n${log.join('')}`);
    for (const r of rows) assert.equal(typeof r._table, 'string');
    assert.equal(rows.filter((r) => String(r.req_path).endsWith('/ok') && Number(r.resp_status) === 200).length, 5);
    assert.equal(rows.filter((r) => String(r.req_path).endsWith('/missing') && Number(r.resp_status) === 404).length, 1);
    assert.ok(rows.every((r) => r.req_method === 'GET'));
  });
});
