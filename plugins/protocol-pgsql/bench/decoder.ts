// Decode + stitch throughput over a recorded PostgreSQL stream; the `decoders` benchmark aggregates it.
import { benchStreams, type DecoderBenchFigure } from '@nixie/core/testing';
import { pgsqlDecoder } from '../src/index.js';
import { be, cat, fe, selectReply } from '../test/builders.js';



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
  return benchStreams(pgsqlDecoder, req, res, opts.seconds ?? 1);
}
