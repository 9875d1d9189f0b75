/**
 * `npm run bench -- http-rows [rows]`: the row-writing part of http-replay alone. HTTP/1.1 pairs are parsed once;
 * then, round after round, each connection's pairs are stitched into http_events rows (stitchInto through the
 * agent's RecordWriter: row staging, socket columns, one batch append per round). Prints ns_per_row.
 */
import { MessageType, type Frame } from '@nixie/core';
import { httpDecoder, type HttpMessage } from '@nixie/protocol-http';
import { exchange, httpWriter } from './lib/http-exchanges.js';
import { ConnTracker } from '../src/conn/conn-tracker.js';

const totalRows = Number(process.argv[2] ?? 4_000_000);
const CONNS = 100;
/** Pairs per connection per round (a stitch call each): ~40, as a batch of 8192 events over 100 connections gives (batches are 1024 events now: ~5). */
const PAIRS = 40;

function parsed(type: MessageType, buf: Buffer, state: unknown): HttpMessage {
  const r = httpDecoder.parseFrame(type, buf, state as never);
  if (r.kind !== 'success') throw new Error(`bench input did not parse: ${r.kind}`);
  // Stitched round after round: kept as the bench's own, not handed back to the parser for reuse as its frames are.
  r.frame.parsed = false;
  return r.frame;
}

async function main(): Promise<void> {
  const { writer } = await httpWriter();
  const conns: { t: ConnTracker; reqs: Frame[]; resps: Frame[] }[] = [];
  for (let c = 0; c < CONNS; c++) {
    const t = new ConnTracker(4242, 1e9, 10 + c, 7e9 + c);
    t.role = 2;
    t.localAddr = '10.0.0.1';
    t.localPort = 8080;
    t.remoteAddr = `10.0.1.${c}`;
    t.remotePort = 30000 + c;
    // Frames are parsed into the state's arenas once; stitching with no state leaves the arenas as they are.
    const state = httpDecoder.createState();
    const reqs: Frame[] = [];
    const resps: Frame[] = [];
    for (let k = 0; k < PAIRS; k++) {
      const [req, resp] = exchange(k * CONNS + c);
      const q = parsed(MessageType.REQUEST, req, state);
      const s = parsed(MessageType.RESPONSE, resp, state);
      q.startNs = 1e9 + k * 1000;
      s.endNs = q.startNs + 50_000;
      reqs.push(q);
      resps.push(s);
    }
    conns.push({ t, reqs, resps });
  }
  const round = (): void => {
    for (const { t, reqs, resps } of conns) {
      for (let i = 0; i < PAIRS; i++) {
        t.requests.push(reqs[i]!);
        t.responses.push(resps[i]!);
      }
      writer.stitch('http', httpDecoder, t);
    }
    writer.flush();
  };
  const rounds = Math.ceil(totalRows / (CONNS * PAIRS));
  for (let r = 0; r < 50; r++) round();
  const before = writer.recordsOut;
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) round();
  const cpu = process.cpuUsage(cpu0);
  const rows = writer.recordsOut - before;
  if (rows !== rounds * CONNS * PAIRS) throw new Error(`expected ${rounds * CONNS * PAIRS} rows, got ${rows}`);
  const cpuNs = (cpu.user + cpu.system) * 1000;
  console.log(JSON.stringify({ bench: 'http-rows', rows, cpu_s: +(cpuNs / 1e9).toFixed(3), ns_per_row: +(cpuNs / rows).toFixed(1) }));
}

await main();
