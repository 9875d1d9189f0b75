import assert from 'node:assert/strict';
import { HTTP_EVENTS, REDIS_EVENTS } from '@nixie/core';
import { InProcessBus } from '../src/bus-memory.js';
import { AgentRegistry, type RegistryEvent } from '../src/registry.js';
import { announceAgent } from '../src/announce.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await tick();
  }
}

describe('AgentRegistry (in-process bus)', () => {
  let bus: InProcessBus;
  let registry: AgentRegistry;
  let events: RegistryEvent[];
  beforeEach(() => {
    bus = new InProcessBus();
    registry = new AgentRegistry(bus, { expiryMs: 150, sweepMs: 10 });
    events = [];
    registry.onChange((e) => events.push(e));
    registry.start();
  });
  afterEach(async () => {
    registry.stop();
    await bus.close();
  });

  it('registers an agent with its tables and keeps it live while it heartbeats', async () => {
    const a = announceAgent(bus, { id: 'node-1', host: 'h1', schemas: () => [HTTP_EVENTS], heartbeatMs: 30 });
    await until(() => registry.live().length === 1);
    assert.deepEqual(registry.live()[0]!.tables, ['http_events']);
    assert.deepEqual(registry.schemas().get('http_events'), JSON.parse(JSON.stringify(HTTP_EVENTS)));
    await tick(400);
    assert.ok(registry.isLive('node-1', a.instance), 'heartbeats keep it live past expiry');
    assert.deepEqual(events.map((e) => e.type), ['registered']);
    await a.stop();
  });

  it('expires an agent that stops heartbeating, and takes it back when it beats again', async () => {
    let beating = true;
    const a = announceAgent(bus, { id: 'node-2', schemas: () => [HTTP_EVENTS], heartbeatMs: 20 });
    // Silence the heartbeats without the clean unregister, as a hung or partitioned agent would.
    const origPublish = bus.publish.bind(bus);
    bus.publish = (subject, data, reply) => (beating || !subject.startsWith('nixie.agent.') ? origPublish(subject, data, reply) : undefined);
    await until(() => registry.isLive('node-2'));
    beating = false;
    await until(() => events.some((e) => e.type === 'expired'));
    assert.equal(registry.live().length, 0);
    assert.equal(registry.list()[0]!.state, 'expired');
    beating = true;
    await until(() => registry.isLive('node-2'));
    assert.equal(registry.list()[0]!.restarts, 0, 'same instance coming back is not a restart');
    await a.stop();
  });

  it('re-registers a restarted agent (same id, new instance) and counts the restart', async () => {
    const first = announceAgent(bus, { id: 'node-3', schemas: () => [HTTP_EVENTS], heartbeatMs: 1000 });
    await until(() => registry.isLive('node-3', first.instance));
    // A crash: no unregister, then a new process with the same id and new tables.
    const second = announceAgent(bus, { id: 'node-3', schemas: () => [HTTP_EVENTS, REDIS_EVENTS], heartbeatMs: 1000 });
    await until(() => registry.isLive('node-3', second.instance));
    const info = registry.list()[0]!;
    assert.equal(info.restarts, 1);
    assert.deepEqual(info.tables, ['http_events', 'redis_events']);
    const re = events.find((e) => e.type === 'reregistered');
    assert.ok(re && re.type === 'reregistered' && re.previousInstance === first.instance);
    await first.stop();
    await tick(20);
    assert.ok(registry.isLive('node-3'), "the old instance's unregister does not remove the new one");
    await second.stop();
    await until(() => !registry.isLive('node-3'));
    assert.ok(events.some((e) => e.type === 'left'));
  });

  it('learns already-running agents when vizier starts after them', async () => {
    registry.stop();
    const late = new AgentRegistry(bus, { expiryMs: 10_000 });
    const a = announceAgent(bus, { id: 'early', schemas: () => [HTTP_EVENTS], heartbeatMs: 60_000 });
    await tick(20);
    late.start();
    await until(() => late.isLive('early'));
    late.stop();
    await a.stop();
  });
});
