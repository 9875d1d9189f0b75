// Decode + stitch throughput over a recorded MySQL stream; the `decoders` benchmark aggregates it.
import { benchStreams, type DecoderBenchFigure } from '@nixie/core/testing';
import { Command, FieldType, mysqlDecoder } from '../src/index.js';
import { cat, execute, i64, lenencStr, p, packet, seqd, str } from '../test/builders.js';



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
  return benchStreams(mysqlDecoder, req, res, opts.seconds ?? 1);
}
