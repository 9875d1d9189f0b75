/**
 * `npm run bench -- http-replay [pairs]`: recorded-style HTTP/1.1 request/response pairs, as BPF data events in
 * the ring buffer's layout, through Pipeline (ConnTracker, DataStream, the HTTP decoder, stitch) into the
 * TableStore. One core, no kernel. Prints records_per_s (target >= 1 M/s).
 */
import { PROTOCOL, TraceRole } from '@nixie/core';
import { DEFAULT_BATCH_EVENTS } from '@nixie/bpf';
import { wasmParser } from '@nixie/protocol-http';
import { ConnStats } from '../src/conn-stats.js';
import { exchange, httpWriter } from './lib/http-exchanges.js';
import { Pipeline } from '../src/pipeline.js';
import { RolePolicy } from '../src/role-policy.js';
import { EventWriter, type SyntheticConn } from '../src/synthetic.js';

const totalPairs = Number(process.argv[2] ?? 1_000_000);
const CONNS = 100;
const PAIRS_PER_CONN = 100;
const perRound = CONNS * PAIRS_PER_CONN;

/** One round: CONNS server connections opened, PAIRS_PER_CONN exchanges each (interleaved), closed. */
function buildRound(): { w: EventWriter; bytes: number } {
  const w = new EventWriter(64 << 20);
  const conns: SyntheticConn[] = [];
  const pos: Array<[number, number]> = [];
  for (let c = 0; c < CONNS; c++) {
    const conn = { pid: 4242, startTimeNs: 1e9, fd: 10 + c, generation: 7e9 + c, protocol: PROTOCOL.http, role: TraceRole.SERVER };
    conns.push(conn);
    pos.push([0, 0]);
    w.open(conn, 1, ['127.0.0.1', 8080], ['127.0.0.1', 30000 + c]);
  }
  let ts = 10;
  let bytes = 0;
  for (let k = 0; k < PAIRS_PER_CONN; k++) {
    for (let c = 0; c < CONNS; c++) {
      const [req, resp] = exchange(k * CONNS + c);
      const p = pos[c]!;
      w.data(conns[c]!, (ts += 1000), 1, p[1], req);
      w.data(conns[c]!, (ts += 50_000), 0, p[0], resp);
      p[1] += req.length;
      p[0] += resp.length;
      bytes += req.length + resp.length;
    }
  }
  for (let c = 0; c < CONNS; c++) w.close(conns[c]!, ts, pos[c]![0], pos[c]![1]);
  return { w, bytes };
}

async function main(): Promise<void> {
  const { host, writer } = await httpWriter();
  const pipeline = new Pipeline({
    host, writer, connStats: new ConnStats(), policy: new RolePolicy('auto'), protocols: {},
    clockOffsetNs: 1.7e18, idleNs: 300e9,
  });
  const { w, bytes } = buildRound();
  // Batches of at most DEFAULT_BATCH_EVENTS, as the ring buffer consumer hands them (`BATCH=n` to try others).
  const batchEvents = Number(process.env.BATCH ?? DEFAULT_BATCH_EVENTS);
  if (!(batchEvents >= 1)) throw new Error(`BATCH=${process.env.BATCH}: a number of events, at least 1`);
  const all = w.batch();
  const batches: { buf: Buffer; offsets: Uint32Array; count: number }[] = [];
  for (let i = 0; i < all.count; i += batchEvents) {
    const n = Math.min(batchEvents, all.count - i);
    batches.push({ buf: all.buf, offsets: all.offsets.subarray(i, i + n), count: n });
  }
  const rounds = Math.ceil(totalPairs / perRound);
  // Warm up the JIT on one round, then measure.
  for (const b of batches) pipeline.handleBatch(b);
  const startRecords = writer.recordsOut;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const b of batches) pipeline.handleBatch(b);
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  const records = writer.recordsOut - startRecords;
  const secs = ns / 1e9;
  const events = rounds * all.count;
  if (records !== rounds * perRound) throw new Error(`expected ${rounds * perRound} records, got ${records}`);
  console.log(`replayed ${records} pairs (${events} events, ${((rounds * bytes) / 1048576).toFixed(0)} MiB) in ${secs.toFixed(2)} s`);
  console.log(
    JSON.stringify({
      bench: 'http-replay',
      // The HTTP/1 parser in use: WebAssembly, or JS (NIXIE_HTTP_WASM=0, or not built).
      http_parser: wasmParser ? 'wasm' : 'js',
      pairs: records,
      batch_events: batchEvents,
      seconds: +secs.toFixed(3),
      records_per_s: Math.round(records / secs),
      // The machine is shared: records per second of this process's CPU time is the steadier figure.
      records_per_cpu_s: Math.round(records / ((cpu.user + cpu.system) / 1e6)),
      events_per_s: Math.round(events / secs),
      mib_per_s: +((rounds * bytes) / 1048576 / secs).toFixed(1),
      cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(3),
      decode_errors: pipeline.counters.decodeErrors,
      heap_mib: +(process.memoryUsage().heapUsed / 1048576).toFixed(1),
    }),
  );
}

await main();
