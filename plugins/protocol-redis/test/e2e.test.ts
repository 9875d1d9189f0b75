import assert from 'node:assert/strict';
import { canTraceBpf, runTraced, startTestAgent, type Row, type TestAgent } from '@nixie/e2e';
import { Redis } from 'ioredis';
const HOST = '127.0.0.1';
const PORT = 6379;

describe('e2e: Redis through BPF into redis_events', function () {
  this.timeout(60_000);
  const why = canTraceBpf();
  let t: TestAgent;
  const clients: Redis[] = [];
  // Unique per run: the Redis server is shared with other tests on this machine.
  const tag = `nixie-e2e-${process.pid}-${Date.now()}`;
  const key = (k: string) => `${tag}:${k}`;
  const hasArg = (r: Row, s: string) => String(r.req_args).includes(s);

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    // Redis runs as a separate service: we trace our own (client) side of the connections.
    t = await startTestAgent({ plugins: ['@nixie/protocol-redis'], config: { agent: { role_policy: 'client', body_limit_bytes: 512 } } });
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await t?.stop();
  });

  function client(): Redis {
    const c = new Redis({ host: HOST, port: PORT, lazyConnect: false, enableReadyCheck: false, maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  }

  it('records SET/GET/HSET/LRANGE from ioredis, pipelined and not, with readable replies', async () => {
    const c = client();
    await c.set(key('a'), 'hello');
    assert.equal(await c.get(key('a')), 'hello');
    await c.pipeline().hset(key('h'), 'f1', 'v1', 'f2', 'v2').rpush(key('l'), 'x', 'y').lrange(key('l'), 0, -1).incr(key('n')).exec();
    const rows = await t.waitForRows('redis_events', (r) => hasArg(r, tag), { min: 6 });
    const by = (cmd: string) => rows.find((r) => r.req_cmd === cmd);
    assert.equal(by('SET')!.resp, 'OK');
    assert.equal(by('SET')!.req_args, JSON.stringify([key('a'), 'hello']));
    assert.equal(by('GET')!.resp, 'hello');
    assert.equal(by('HSET')!.resp, '2');
    assert.equal(by('LRANGE')!.resp, '["x", "y"]');
    assert.equal(by('INCR')!.resp, '1');
    assert.ok(Number(by('GET')!.latency) > 0);
    assert.equal(by('GET')!.remote_port, PORT);
  });

  it('records two-word commands (CONFIG GET, CLIENT SETNAME) and errors', async () => {
    const c = client();
    await c.config('GET', 'maxmemory-policy');
    await c.client('SETNAME', tag.replace(/[^a-z0-9-]/gi, '-'));
    await assert.rejects(c.call('HGET', key('a'), 'f'));
    const cfg = await t.waitForRows('redis_events', (r) => r.req_cmd === 'CONFIG GET' && hasArg(r, 'maxmemory-policy'));
    // ioredis speaks RESP3 (HELLO 3), so the reply is a map.
    assert.match(String(cfg[0]!.resp), /^\{"maxmemory-policy": "/);
    await t.waitForRows('redis_events', (r) => r.req_cmd === 'CLIENT SETNAME' && hasArg(r, String(process.pid)));
    const err = await t.waitForRows('redis_events', (r) => r.req_cmd === 'HGET' && hasArg(r, tag));
    assert.match(String(err[0]!.resp), /^-WRONGTYPE/);
  });

  it('records SUBSCRIBE and each delivered message as PUSH PUB', async () => {
    const sub = client();
    const pub = client();
    const channel = key('ch');
    const got: string[] = [];
    sub.on('message', (_ch: string, m: string) => got.push(m));
    await sub.subscribe(channel);
    await pub.publish(channel, 'm1');
    await pub.publish(channel, 'm2');
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ['m1', 'm2']);
    // No command follows the messages on the subscriber: they become records on their own (unsolicited).
    const subs = await t.waitForRows('redis_events', (r) => r.req_cmd === 'SUBSCRIBE' && hasArg(r, channel));
    assert.equal(subs[0]!.resp, `["subscribe", "${channel}", 1]`);
    const pushes = await t.waitForRows('redis_events', (r) => r.req_cmd === 'PUSH PUB' && String(r.resp).includes(channel), { min: 2 });
    assert.deepEqual(pushes.map((r) => r.resp), [`["message", "${channel}", "m1"]`, `["message", "${channel}", "m2"]`]);
    const pubs = await t.waitForRows('redis_events', (r) => r.req_cmd === 'PUBLISH' && hasArg(r, channel), { min: 2 });
    assert.deepEqual(pubs.map((r) => r.resp), ['1', '1']);
  });

  it('records redis-cli, RESP3 maps included (HELLO 3 via -3)', async () => {
    await runTraced(t, 'redis-cli', ['-h', HOST, '-p', String(PORT), 'HSET', key('r3'), 'k', 'v']);
    await runTraced(t, 'redis-cli', ['-3', '-h', HOST, '-p', String(PORT), 'HGETALL', key('r3')]);
    const rows = await t.waitForRows('redis_events', (r) => r.req_cmd === 'HGETALL' && hasArg(r, key('r3')));
    assert.equal(rows[0]!.resp, '{"k": "v"}');
    await t.waitForRows('redis_events', (r) => r.req_cmd === 'HELLO' && r.req_args === '["3"]');
  });

  it('records every request of redis-benchmark', async () => {
    const n = 2000;
    await runTraced(t, 'redis-benchmark', ['-h', HOST, '-p', String(PORT), '-n', String(n), '-c', '4', '-t', 'set', '-q']);
    const rows = await t.waitForRows('redis_events', (r) => r.req_cmd === 'SET' && hasArg(r, 'key:__rand_int__'), { min: n, timeoutMs: 20_000 });
    assert.equal(rows.length, n);
    assert.ok(rows.every((r) => r.resp === 'OK'));
  });

  after(async () => {
    const c = new Redis({ host: HOST, port: PORT });
    const keys = await c.keys(`${tag}:*`);
    if (keys.length) await c.del(...keys);
    c.disconnect();
  });
});
