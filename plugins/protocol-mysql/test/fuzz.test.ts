import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageType } from '@nixie/core';
import { Command, FieldType, MAX_PENDING, MAX_STATEMENTS, mysqlDecoder } from '../src/index.js';
import { TRUNCATED } from '@nixie/core';
import { cat, execute, i64, lenencStr, p, packet, seqd, str } from './builders.js';
import { drive, mutate } from '@nixie/core/testing';

const LIMIT = 64;
const LIMITS = { bodyLimitBytes: LIMIT, headersLimitBytes: 8192 };

const SEED_REQ = cat(
  packet(0, p.command(Command.QUERY, str('SELECT 1'))),
  packet(0, p.command(Command.STMT_PREPARE, str('SELECT ?, ?'))),
  packet(0, execute(1, [[FieldType.LONGLONG, false, i64(5n)], [FieldType.VAR_STRING, false, lenencStr('x')]])),
  packet(0, p.command(Command.PING)),
);
const SEED_RESP = cat(
  seqd(1, p.columnCount(1), p.columnDef('a'), p.eof(), p.textRow('1'), p.eof()),
  seqd(1, p.prepareOk(1, 0, 2), p.columnDef('?'), p.columnDef('?'), p.eof()),
  seqd(1, p.columnCount(1), p.columnDef('a'), p.okEof()),
  seqd(1, p.err(1, 'boom')),
);

const mutated = (seed: Uint8Array) =>
  fc
    .record({
      edits: fc.array(fc.tuple(fc.nat(seed.length + 4), fc.integer({ min: -1, max: 255 })), { maxLength: 4 }),
      cut: fc.nat(seed.length),
    })
    .map(({ edits, cut }) => mutate(seed, edits, cut));

function check(req: Uint8Array, resp: Uint8Array, split: number): void {
  const state = mysqlDecoder.createState(LIMITS);
  const k1 = Math.min(split, req.length);
  const k2 = Math.min(split, resp.length);
  const q = drive(mysqlDecoder, state, MessageType.REQUEST, [req.subarray(0, k1), req.subarray(k1)]);
  const r = drive(mysqlDecoder, state, MessageType.RESPONSE, [resp.subarray(0, k2), resp.subarray(k2)]);
  const out = mysqlDecoder.stitch(q.frames, r.frames, state);
  assert.ok(q.frames.length <= MAX_PENDING && r.frames.length <= MAX_PENDING);
  assert.ok(state.statements.size <= MAX_STATEMENTS);
  for (const rec of out.records) {
    assert.ok(String(rec.req_body).length <= 2 * (LIMIT + TRUNCATED.length) + 10, 'req_body bounded');
    assert.ok(String(rec.resp_body).length <= 4 * (LIMIT + TRUNCATED.length), 'resp_body bounded');
  }
}

describe('mysql decoder: fuzz', function () {
  // 100k inputs take a few seconds on a loaded CI machine; the default 2 s would make this flaky.
  this.timeout(60_000);

  it('never throws on random bytes and keeps state bounded (70k inputs)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), fc.uint8Array({ maxLength: 48 }), fc.nat(48), check), { numRuns: 70_000 });
  });

  it('never throws on mutated valid traffic and keeps state bounded (30k inputs)', () => {
    fc.assert(fc.property(mutated(SEED_REQ), mutated(SEED_RESP), fc.nat(200), check), { numRuns: 30_000 });
  });
});
