import assert from 'node:assert/strict';
import { InProcessBus } from '../src/bus-memory.js';
import { NatsBus } from '../src/bus-nats.js';
import type { Bus, BusMessage } from '../src/bus.js';
import { ReplyWriter, ReplyStreamError, requestStream, type ReplyEvent } from '../src/stream.js';
import { subjectMatches } from '../src/bus-memory.js';
import { startNats, type TestNats } from './nats-server.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function collect(it: AsyncIterable<ReplyEvent>): Promise<ReplyEvent[]> {
  const out: ReplyEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

function received(bus: Bus, subject: string): { msgs: BusMessage[]; until: (n: number) => Promise<void> } {
  const msgs: BusMessage[] = [];
  bus.subscribe(subject, (m) => msgs.push(m));
  return {
    msgs,
    until: async (n) => {
      const deadline = Date.now() + 5000;
      while (msgs.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    },
  };
}

function busSuite(name: string, make: () => Promise<{ a: Bus; b: Bus; done: () => Promise<void> }>): void {
  describe(`Bus: ${name}`, () => {
    let a: Bus;
    let b: Bus;
    let done: () => Promise<void>;
    beforeEach(async () => ({ a, b, done } = await make()));
    afterEach(async () => done());

    it('delivers to exact and wildcard subscribers, in order', async () => {
      const exact = received(b, 't.x.y');
      const star = received(b, 't.*.y');
      const rest = received(b, 't.>');
      await b.flush();
      for (let i = 0; i < 20; i++) a.publish('t.x.y', enc.encode(String(i)));
      a.publish('t.z', enc.encode('z'));
      await a.flush();
      await rest.until(21);
      await exact.until(20);
      assert.deepEqual(exact.msgs.map((m) => dec.decode(m.data)), Array.from({ length: 20 }, (_, i) => String(i)));
      assert.equal(star.msgs.length, 20);
      assert.equal(rest.msgs.length, 21);
    });

    it('streams chunked replies, joining batches larger than the max payload', async () => {
      const big = new Uint8Array(Math.floor(b.maxPayload * 2.5)).map((_, i) => i % 251);
      b.subscribe('svc.q', (m) => {
        const w = new ReplyWriter(b, m.reply!);
        w.ack({ agent: 'b' });
        w.batch('out', enc.encode('small'));
        w.batch('other', big);
        w.end({ rows: 2 });
      });
      await b.flush();
      const events = await collect(requestStream(a, 'svc.q', enc.encode('go'), { ackTimeoutMs: 3000, timeoutMs: 5000 }));
      assert.deepEqual(
        events.map((e) => e.kind),
        ['ack', 'batch', 'batch', 'end'],
      );
      const [, small, large] = events as [ReplyEvent, Extract<ReplyEvent, { kind: 'batch' }>, Extract<ReplyEvent, { kind: 'batch' }>];
      assert.equal(small.name, 'out');
      assert.equal(dec.decode(small.bytes), 'small');
      assert.equal(large.name, 'other');
      assert.deepEqual(large.bytes, big);
    });

    it('reports an error frame as the agent error, and no answer as no-ack', async () => {
      b.subscribe('svc.fail', (m) => {
        const w = new ReplyWriter(b, m.reply!);
        w.ack({});
        w.error('E_X', 'boom');
      });
      await b.flush();
      await assert.rejects(collect(requestStream(a, 'svc.fail', enc.encode(''), { ackTimeoutMs: 3000, timeoutMs: 5000 })), (e: unknown) => {
        return e instanceof ReplyStreamError && e.reason === 'agent-error' && e.message === 'boom' && e.code === 'E_X';
      });
      await assert.rejects(collect(requestStream(a, 'svc.nobody', enc.encode(''), { ackTimeoutMs: 100, timeoutMs: 5000 })), (e: unknown) => {
        return e instanceof ReplyStreamError && e.reason === 'no-ack';
      });
    });

    it('times out a reply that stops mid-stream, and honours abort', async () => {
      b.subscribe('svc.stall', (m) => new ReplyWriter(b, m.reply!).ack({}));
      await b.flush();
      await assert.rejects(collect(requestStream(a, 'svc.stall', enc.encode(''), { ackTimeoutMs: 1000, timeoutMs: 200 })), (e: unknown) => {
        return e instanceof ReplyStreamError && e.reason === 'timeout';
      });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(
        collect(requestStream(a, 'svc.stall', enc.encode(''), { ackTimeoutMs: 1000, timeoutMs: 5000, signal: ac.signal })),
        (e: unknown) => e instanceof ReplyStreamError && e.reason === 'cancelled',
      );
    });
  });
}

describe('subjectMatches', () => {
  it('follows NATS wildcard rules', () => {
    const m = (p: string, s: string): boolean => subjectMatches(p.split('.'), s.split('.'));
    assert.ok(m('a.b', 'a.b'));
    assert.ok(!m('a.b', 'a.b.c'));
    assert.ok(m('a.*', 'a.b'));
    assert.ok(!m('a.*', 'a.b.c'));
    assert.ok(m('a.>', 'a.b.c'));
    assert.ok(!m('a.>', 'a'));
  });
});

busSuite('in-process', async () => {
  const bus = new InProcessBus({ maxPayload: 64 * 1024 });
  return { a: bus, b: bus, done: () => bus.close() };
});

describe('Bus over a private nats-server', () => {
  let nats: TestNats | undefined;
  before(async function () {
    this.timeout(15_000);
    nats = await startNats();
  });
  after(async () => nats?.stop());

  busSuite('NATS', async () => {
    const a = await NatsBus.connect({ url: nats!.url, name: 'test-a' });
    const b = await NatsBus.connect({ url: nats!.url, name: 'test-b' });
    return {
      a,
      b,
      done: async () => {
        await a.close();
        await b.close();
      },
    };
  });
});

describe('NatsBus.connect', () => {
  it('names the URL when no server listens there', async () => {
    await assert.rejects(NatsBus.connect({ url: 'nats://127.0.0.1:1', connectTimeoutMs: 500 }), /NATS at nats:\/\/127\.0\.0\.1:1/);
  });
});
