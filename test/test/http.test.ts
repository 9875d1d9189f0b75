import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { TraceRole } from '@nixie/core';
import { canTraceBpf, startTestAgent, type Row, type TestAgent } from '../src/index.js';

const run = promisify(execFile);

/** A server with a few routes: echo (POST), big (body > limit), chunked (streamed), and plain GET. */
function startServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      if (req.url === '/echo') {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ got: body.length }));
      } else if (req.url === '/big') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('B'.repeat(4000));
      } else if (req.url === '/chunked') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('first-');
        setTimeout(() => res.end('second'), 5);
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '5' });
        res.end('hello');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function request(agent: http.Agent, port: number, method: string, path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(Buffer.concat(parts).toString()));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('e2e: HTTP/1 through BPF into http_events', function () {
  this.timeout(60_000);
  const why = canTraceBpf();
  let t: TestAgent;
  let server: http.Server;
  let port: number;

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'], config: { agent: { body_limit_bytes: 512 } } });
    server = await startServer();
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await t?.stop();
  });

  const onPort = (r: Row) => r.local_port === port;

  it('records GET and POST with bodies over keep-alive (Node http client)', async () => {
    const ka = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const payload = JSON.stringify({ name: 'nixie', pad: 'p'.repeat(1000) });
    await request(ka, port, 'GET', '/hello');
    await request(ka, port, 'POST', '/echo', payload);
    await request(ka, port, 'GET', '/big');
    ka.destroy();
    const rows = await t.waitForRows('http_events', (r) => onPort(r) && ['/hello', '/echo', '/big'].includes(r.req_path as string), { min: 3 });
    const by = Object.fromEntries(rows.map((r) => [r.req_path as string, r]));
    const get = by['/hello']!;
    assert.equal(get.req_method, 'GET');
    assert.equal(get.resp_status, 200);
    assert.equal(get.resp_body, 'hello');
    assert.equal(get.trace_role, TraceRole.SERVER);
    assert.equal(get.remote_addr, '127.0.0.1');
    assert.equal(get.local_addr, '127.0.0.1');
    assert.ok((get.latency as number) > 0);
    assert.equal(get.major_version, 1);
    assert.equal(get.minor_version, 1);
    const post = by['/echo']!;
    assert.equal(post.req_method, 'POST');
    assert.equal(post.req_body, payload.slice(0, 512));
    assert.equal(post.req_body_size, payload.length);
    assert.equal(post.resp_status, 201);
    assert.equal(post.resp_body, JSON.stringify({ got: payload.length }));
    assert.equal(post.content_type, 1);
    assert.equal(by['/big']!.resp_body, 'B'.repeat(512));
    assert.equal(by['/big']!.resp_body_size, 4000);
    // One keep-alive connection: every row has the same client port.
    assert.equal(new Set(rows.map((r) => r.remote_port)).size, 1);
  });

  it('records chunked responses, and curl as a client', async () => {
    const { stdout } = await run('curl', ['-s', '-H', 'X-Test: curl', `http://127.0.0.1:${port}/chunked`]);
    assert.equal(stdout, 'first-second');
    const [row] = await t.waitForRows('http_events', (r) => onPort(r) && r.req_path === '/chunked');
    assert.equal(row!.resp_body, 'first-second');
    assert.equal(row!.resp_body_size, 12);
    assert.match(row!.req_headers as string, /"X-Test":"curl"/);
    assert.match(row!.req_headers as string, /curl\//);
  });

  it('counts conn_stats bytes that match what was sent', async () => {
    const body = 'x'.repeat(3000);
    const plain = new http.Agent({ keepAlive: false });
    await request(plain, port, 'POST', '/echo', body);
    // The server side of that one connection: bytes it received = the whole request.
    const rows = await t.waitForRows('conn_stats', (r) => r.trace_role === TraceRole.SERVER && (r.conn_close as number) >= 1 && (r.bytes_recv as number) > 3000, { timeoutMs: 15_000 });
    const row = rows.at(-1)!;
    const reqHead = `POST /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nContent-Length: 3000\r\n\r\n`;
    assert.equal(row.bytes_recv, Buffer.byteLength(reqHead) + 3000);
  });

  it('gives no http_events rows for non-HTTP traffic on another port', async () => {
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const ep = (echo.address() as AddressInfo).port;
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(ep, '127.0.0.1', () => c.write('HELLO not http\r\n\x00\x01\x02'));
      c.on('data', () => c.end());
      c.on('close', () => resolve());
      c.on('error', reject);
    });
    // A marker request proves the agent has drained past the echo traffic.
    await request(new http.Agent(), port, 'GET', '/marker');
    await t.waitForRows('http_events', (r) => r.req_path === '/marker');
    assert.deepEqual(t.rows('http_events').filter((r) => r.local_port === ep || r.remote_port === ep), []);
    echo.close();
  });
});
