// Decode + stitch throughput over a recorded MySQL stream; the `decoders` benchmark aggregates it.
import { MessageType, type Frame } from '@nixie/core';
import { Command, FieldType, mysqlDecoder, type MysqlFrame } from '../src/index.js';
import { cat, execute, i64, lenencStr, p, packet, seqd, str } from '../test/builders.js';

export interface DecoderBenchFigure {
  protocol: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
}

function parseAll(type: MessageType, buf: Uint8Array, state: ReturnType<typeof mysqlDecoder.createState>, out: MysqlFrame[]): void {
  let pos = 0;
  while (pos < buf.length) {
    const r = mysqlDecoder.parseFrame(type, buf.subarray(pos), state);
    if (r.kind === 'success') {
      out.push(r.frame);
      pos += r.consumed;
    } else if (r.kind === 'ignored') {
      pos += r.consumed;
    } else if (r.kind === 'invalid') {
      const b = mysqlDecoder.findFrameBoundary(type, buf.subarray(pos), 1);
      if (b < 0) return;
      pos += b;
    } else {
      return;
    }
  }
}

/** A session of 1000 commands: text queries with 1-5 row results, inserts, prepared executes. */
function streams(): [Uint8Array, Uint8Array] {
  const q: Uint8Array[] = [packet(0, p.command(Command.STMT_PREPARE, str('SELECT id, name FROM users WHERE id = ? AND name = ?')))];
  const r: Uint8Array[] = [seqd(1, p.prepareOk(1, 2, 2), p.columnDef('?'), p.columnDef('?'), p.eof(), p.columnDef('id'), p.columnDef('name'), p.eof())];
  for (let i = 0; i < 333; i++) {
    q.push(packet(0, p.command(Command.QUERY, str(`SELECT id, name FROM users WHERE id > ${i} LIMIT 5`))));
    r.push(seqd(1, p.columnCount(2), p.columnDef('id'), p.columnDef('name'), p.eof(), ...Array.from({ length: 1 + (i % 5) }, (_, j) => p.textRow(String(i + j), `user-${j}`)), p.eof()));
    q.push(packet(0, p.command(Command.QUERY, str(`INSERT INTO log (n, at) VALUES (${i}, NOW())`))));
    r.push(seqd(1, p.ok(1)));
    q.push(packet(0, execute(1, [[FieldType.LONGLONG, false, i64(BigInt(i))], [FieldType.VAR_STRING, false, lenencStr(`user-${i}`)]], i === 0)));
    r.push(seqd(1, p.columnCount(2), p.columnDef('id'), p.columnDef('name'), p.eof(), cat(Uint8Array.of(0, 0), i64(BigInt(i)), lenencStr('x')), p.eof()));
  }
  return [cat(...q), cat(...r)];
}

/** Decodes + stitches the recorded stream in a loop for about `seconds`; returns records/s. */
export function benchDecoder(opts: { seconds?: number } = {}): DecoderBenchFigure {
  const [req, res] = streams();
  let records = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round((opts.seconds ?? 1) * 1e9));
  let now = t0;
  while (now < deadline) {
    const state = mysqlDecoder.createState();
    const q: MysqlFrame[] = [];
    const r: MysqlFrame[] = [];
    parseAll(MessageType.REQUEST, req, state, q);
    parseAll(MessageType.RESPONSE, res, state, r);
    records += mysqlDecoder.stitch(q, r, state).records.length;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - t0) / 1e9;
  return { protocol: 'mysql', records, seconds, recordsPerSec: Math.round(records / seconds) };
}

export type { Frame };
