// Decode + stitch throughput over a recorded PostgreSQL stream; the `decoders` benchmark aggregates it.
import { MessageType, type Decoder, type Frame } from '@nixie/core';
import { pgsqlDecoder } from '../src/index.js';
import { be, cat, fe, selectReply } from '../test/builders.js';

export interface DecoderBenchFigure {
  protocol: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
}

function parseAll<F extends Frame, S>(d: Decoder<F, S>, type: MessageType, buf: Uint8Array, state: S, out: F[]): void {
  let pos = 0;
  while (pos < buf.length) {
    const r = d.parseFrame(type, buf.subarray(pos), state);
    if (r.kind === 'success') {
      out.push(r.frame);
      pos += r.consumed;
    } else if (r.kind === 'ignored') {
      pos += r.consumed;
    } else if (r.kind === 'invalid') {
      const b = d.findFrameBoundary(type, buf.subarray(pos), 1);
      if (b < 0) return;
      pos += b;
    } else {
      return;
    }
  }
}

/** A pgbench-like session (simple protocol) mixed with extended-protocol queries: 1000 records. */
function streams(): [Uint8Array, Uint8Array] {
  const q: Uint8Array[] = [];
  const r: Uint8Array[] = [];
  for (let i = 0; i < 125; i++) {
    q.push(fe.query('BEGIN;'));
    r.push(be.complete('BEGIN'), be.ready('T'));
    q.push(fe.query(`UPDATE pgbench_accounts SET abalance = abalance + ${i} WHERE aid = ${i * 7};`));
    r.push(be.complete('UPDATE 1'), be.ready('T'));
    q.push(fe.query(`SELECT abalance FROM pgbench_accounts WHERE aid = ${i * 7};`));
    r.push(selectReply('SELECT 1', [[String(i * 3)]]));
    q.push(fe.query('END;'));
    r.push(be.complete('COMMIT'), be.ready());
    for (let j = 0; j < 4; j++) {
      q.push(fe.parse('', 'SELECT id, name FROM users WHERE id = $1'), fe.bind('', '', [String(i + j)]), fe.describe('P', ''), fe.execute(''), fe.sync());
      r.push(be.parseComplete(), be.bindComplete(), be.rowDescription('id', 'name'), be.dataRow(String(i), 'alice'), be.complete('SELECT 1'), be.ready());
    }
  }
  return [cat(...q), cat(...r)];
}

/** Decodes + stitches the recorded stream in a loop for about `seconds`; returns records/s. */
export function benchDecoder(opts: { seconds?: number } = {}): DecoderBenchFigure {
  const [req, res] = streams();
  const d = pgsqlDecoder;
  let records = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round((opts.seconds ?? 1) * 1e9));
  let now = t0;
  while (now < deadline) {
    const state = d.createState();
    const q: Frame[] = [];
    const r: Frame[] = [];
    parseAll(d as Decoder<Frame, unknown>, MessageType.REQUEST, req, state, q);
    parseAll(d as Decoder<Frame, unknown>, MessageType.RESPONSE, res, state, r);
    records += (d as Decoder<Frame, unknown>).stitch(q, r, state).records.length;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - t0) / 1e9;
  return { protocol: 'pgsql', records, seconds, recordsPerSec: Math.round(records / seconds) };
}
