import assert from 'node:assert/strict';
import { NatsBus } from '../src/bus-nats.js';
import { startVizier, type Vizier } from '../src/vizier.js';
import { expectedByPath, ownPath } from './data.js';
import { forkAgent, runQuery, until, type AgentProcess } from './helpers.js';
import { startNats, type TestNats } from './nats-server.js';

const GROUPBY = `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df.groupby('req_path').agg(n=('latency', px.count), total=('latency', px.sum), lat_max=('latency', px.max), q=('latency', px.quantiles))
px.display(df, 'by_path')
`;
const ROWS = 3000;

describe('distributed: agents as processes over a real nats-server', function () {
  this.timeout(60_000);
  let nats: TestNats;
  let bus: NatsBus;
  let vizier: Vizier;
  const agents: AgentProcess[] = [];

  before(async () => {
    nats = await startNats();
    bus = await NatsBus.connect({ url: nats.url, name: 'test-vizier' });
    vizier = await startVizier({
      bus,
      config: { vizier: { listen: '127.0.0.1:0', query_timeout_ms: 5000 }, nats: { url: nats.url } },
      // Short but with room for a starved CI machine: heartbeats are every 200 ms.
      expiryMs: 2500,
      ackTimeoutMs: 2000,
      api: false,
    });
    for (let i = 0; i < 3; i++) {
      agents.push(await forkAgent({ NATS_URL: nats.url, AGENT_ID: `agent-${i}`, AGENT_INDEX: String(i), AGENT_ROWS: String(ROWS) }));
    }
    await until(() => vizier.registry.live().length === 3, 'three agents to register');
  });

  after(async () => {
    for (const a of agents) await a.kill();
    await vizier?.stop();
    await bus?.close();
    await nats?.stop();
  });

  it('merges a groupby across three agents with distinct data', async () => {
    const { tables, events } = await runQuery(vizier.broker, { script: GROUPBY });
    const end = events.at(-1)!;
    assert.ok(end.type === 'end');
    assert.deepEqual(end.warnings, []);
    const started = events[0]!;
    assert.ok(started.type === 'started');
    assert.deepEqual([...started.agents].sort(), ['agent-0', 'agent-1', 'agent-2']);
    const rows = tables.get('by_path')!;
    const expected = expectedByPath(3, ROWS);
    assert.equal(rows.length, expected.size, 'one row per path: shared paths merged, own paths kept');
    for (const r of rows) {
      const e = expected.get(r.req_path as string)!;
      assert.ok(e, `unexpected path ${String(r.req_path)}`);
      assert.equal(r.n, e.n, `count of ${String(r.req_path)}`);
      assert.equal(r.total, e.total, `sum of ${String(r.req_path)}`);
      assert.equal(r.lat_max, e.max, `max of ${String(r.req_path)}`);
      const q = JSON.parse(r.q as string) as Record<string, number>;
      assert.ok(q.p50! > 0 && q.p50! <= e.max, `p50 of ${String(r.req_path)} within range`);
    }
    assert.ok(rows.some((r) => r.req_path === ownPath(2)));
  });

  it('returns partial results naming an agent killed mid-query', async () => {
    const victim = await forkAgent({ NATS_URL: nats.url, AGENT_ID: 'victim', AGENT_INDEX: '3', AGENT_ROWS: String(ROWS), AGENT_STALL: '1' });
    agents.push(victim);
    await until(() => vizier.registry.isLive('victim'), 'victim to register');
    const query = runQuery(vizier.broker, { script: GROUPBY });
    await until(() => victim.messages.some((m) => m.type === 'stalled'), 'victim to take the query');
    await victim.kill('SIGKILL');
    const { tables, events } = await query;
    const end = events.at(-1)!;
    assert.ok(end.type === 'end');
    assert.equal(end.warnings.length, 1);
    assert.equal(end.warnings[0]!.agent, 'victim');
    assert.ok(events.some((e) => e.type === 'warning' && e.agent === 'victim'));
    const rows = tables.get('by_path')!;
    assert.ok(!rows.some((r) => r.req_path === ownPath(3)), "the dead agent's rows are absent");
    const expected = expectedByPath(3, ROWS);
    assert.equal(rows.length, expected.size);
    for (const r of rows) assert.equal(r.n, expected.get(r.req_path as string)!.n);
  });

  it('expires an agent that died, and re-registers it when it comes back with the same id', async () => {
    const events: string[] = [];
    const off = vizier.registry.onChange((e) => events.push(`${e.type}:${e.agent.id}`));
    // The victim was killed (no clean unregister) in the test before; only expiry removes it.
    await until(() => !vizier.registry.isLive('victim'), 'the killed agent to expire', 10_000);
    const agentsListed = vizier.registry.list().find((a) => a.id === 'victim');
    assert.equal(agentsListed?.state, 'expired');

    const first = agents[1]!;
    const oldInstance = first.messages.find((m) => m.type === 'ready')!.instance;
    await first.kill('SIGKILL');
    const again = await forkAgent({ NATS_URL: nats.url, AGENT_ID: 'agent-1', AGENT_INDEX: '1', AGENT_ROWS: String(ROWS) });
    agents[1] = again;
    const newInstance = again.messages.find((m) => m.type === 'ready')!.instance;
    assert.notEqual(newInstance, oldInstance);
    await until(() => vizier.registry.isLive('agent-1', newInstance), 'agent-1 to re-register');
    assert.ok(events.includes('reregistered:agent-1'));
    assert.equal(vizier.registry.list().find((a) => a.id === 'agent-1')!.restarts, 1);
    off();

    const { tables, events: qe } = await runQuery(vizier.broker, { script: GROUPBY });
    const end = qe.at(-1)!;
    assert.ok(end.type === 'end' && end.warnings.length === 0, 'the restarted agent answers; the expired one is not asked');
    assert.equal(tables.get('by_path')!.find((r) => r.req_path === '/api/a')!.n, expectedByPath(3, ROWS).get('/api/a')!.n);
  });
});
