import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageType } from '@nixie/core';
import { MAX_PENDING, MAX_STATEMENTS, pgsqlDecoder } from '../src/index.js';
import { TRUNCATED } from '@nixie/core';
import { be, cat, fe, selectReply } from './builders.js';
import { drive, mutate } from '@nixie/core/testing';

const LIMIT = 64;
const LIMITS = { bodyLimitBytes: LIMIT, headersLimitBytes: 8192 };

const SEED_REQ = cat(
  fe.sslRequest(),
  fe.startup({ user: 'u' }),
  fe.query('SELECT 1'),
  fe.parse('s', 'SELECT $1'),
  fe.bind('', 's', ['1', null, Uint8Array.of(1, 2)]),
  fe.execute(''),
  fe.sync(),
);
const SEED_RESP = cat(
  Uint8Array.of(0x4e),
  be.authOk(),
  be.ready(),
  selectReply('SELECT 1', [['1']]),
  be.parseComplete(),
  be.bindComplete(),
  be.error('boom'),
  be.ready(),
);

const mutated = (seed: Uint8Array) =>
  fc
    .record({
      edits: fc.array(fc.tuple(fc.nat(seed.length + 4), fc.integer({ min: -1, max: 255 })), { maxLength: 4 }),
      cut: fc.nat(seed.length),
    })
    .map(({ edits, cut }) => mutate(seed, edits, cut));

function check(req: Uint8Array, resp: Uint8Array, split: number): void {
  const state = pgsqlDecoder.createState(LIMITS);
  const k1 = Math.min(split, req.length);
  const k2 = Math.min(split, resp.length);
  const q = drive(pgsqlDecoder, state, MessageType.REQUEST, [req.subarray(0, k1), req.subarray(k1)]);
  const r = drive(pgsqlDecoder, state, MessageType.RESPONSE, [resp.subarray(0, k2), resp.subarray(k2)]);
  const out = pgsqlDecoder.stitch(q.frames, r.frames, state);
  assert.ok(q.frames.length <= MAX_PENDING && r.frames.length <= MAX_PENDING);
  assert.ok(state.statements.size <= MAX_STATEMENTS && state.portals.size <= MAX_STATEMENTS);
  for (const rec of out.records) {
    // The request may be a query plus its parameters, each cut at the limit.
    assert.ok(String(rec.req).length <= 2 * (LIMIT + TRUNCATED.length) + 10, 'req bounded');
    assert.ok(String(rec.resp).length <= 4 * (LIMIT + TRUNCATED.length), 'resp bounded');
  }
}

describe('pgsql decoder: fuzz', function () {
  // 100k inputs take a few seconds on a loaded CI machine; the default 2 s would make this flaky.
  this.timeout(60_000);

  it('never throws on random bytes and keeps state bounded (70k inputs)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), fc.uint8Array({ maxLength: 48 }), fc.nat(48), check), { numRuns: 70_000 });
  });

  it('never throws on mutated valid traffic and keeps state bounded (30k inputs)', () => {
    fc.assert(fc.property(mutated(SEED_REQ), mutated(SEED_RESP), fc.nat(160), check), { numRuns: 30_000 });
  });
});
