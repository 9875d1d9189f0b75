// One agent process of the distributed query bench: fills its own store and serves queries over NATS.
import { HTTP_EVENTS, TableStore } from '@nixie/core';
import { NatsBus } from '../src/bus-nats.js';
import { attachAgent } from '../src/vizier.js';
import { fillBenchHttpEvents } from './http-data.js';

const id = process.env.AGENT_ID ?? 'bench-agent';
const rows = Number(process.env.AGENT_ROWS ?? '333334');
const seed = Number(process.env.AGENT_SEED ?? '1');
const bus = await NatsBus.connect({ url: process.env.NATS_URL!, name: id });
const store = new TableStore({ budgetBytes: 2 * 1024 * 1024 * 1024, schemas: [HTTP_EVENTS] });
fillBenchHttpEvents(store.table('http_events'), rows, seed, Date.now() * 1e6);
const agent = attachAgent(bus, store, { id, heartbeatMs: 1000 });
await bus.flush();
process.send?.({ type: 'ready' });
process.on('SIGTERM', () => {
  void agent
    .stop()
    .then(() => bus.close())
    .then(() => process.exit(0));
});
