// A test agent as its own process: a TableStore with distinct data per agent, registered over NATS,
// serving queries. Forked by distributed.test.ts; not a test file itself.
import { HTTP_EVENTS, TableStore } from '@nixie/core';
import { NatsBus } from '../src/bus-nats.js';
import type { Bus } from '../src/bus.js';
import { attachAgent } from '../src/vizier.js';
import { fillHttpEvents } from './data.js';

const id = process.env.AGENT_ID ?? 'agent';
const index = Number(process.env.AGENT_INDEX ?? '0');
const rows = Number(process.env.AGENT_ROWS ?? '1000');
const stall = process.env.AGENT_STALL === '1';

const nats = await NatsBus.connect({ url: process.env.NATS_URL!, name: `test-agent-${id}` });
let bus: Bus = nats;
if (stall) {
  // Sends the ACK of a query, then nothing: an agent that dies mid-query. Tells the parent when it is there.
  const replies = new Set<string>();
  bus = {
    kind: nats.kind,
    maxPayload: nats.maxPayload,
    publish(subject, data, reply) {
      if (subject.startsWith('_INBOX.')) {
        if (replies.has(subject)) return;
        replies.add(subject);
        nats.publish(subject, data, reply);
        void nats.flush().then(() => process.send?.({ type: 'stalled' }));
        return;
      }
      nats.publish(subject, data, reply);
    },
    subscribe: (s, h) => nats.subscribe(s, h),
    newInbox: () => nats.newInbox(),
    flush: () => nats.flush(),
    close: () => nats.close(),
  };
}
const store = new TableStore({ budgetBytes: 512 * 1024 * 1024, schemas: [HTTP_EVENTS] });
fillHttpEvents(store.table('http_events'), index, rows, Date.now() * 1e6);
const agent = attachAgent(bus, store, { id, heartbeatMs: Number(process.env.HEARTBEAT_MS ?? '200') });
await bus.flush();
process.send?.({ type: 'ready', instance: agent.announcer.instance });
process.on('SIGTERM', () => {
  void agent
    .stop()
    .then(() => nats.close())
    .then(() => process.exit(0));
});
