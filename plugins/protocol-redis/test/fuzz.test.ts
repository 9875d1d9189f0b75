import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageType } from '@nixie/core';
import { MAX_PENDING, redisDecoder } from '../src/index.js';
import { TRUNCATED } from '@nixie/core';
import { bytes, command, resp } from './builders.js';
import { concat, drive, mutate } from '@nixie/core/testing';

const LIMIT = 64;
const LIMITS = { bodyLimitBytes: LIMIT, headersLimitBytes: 8192 };

/** Valid traffic to mutate. */
const SEEDS_REQ = concat(command('SET', 'key', 'value'), command('CONFIG', 'GET', 'x'), bytes('PING\r\n'), command('SUBSCRIBE', 'a'));
const SEEDS_RESP = bytes(
  resp.simple('OK') +
    resp.array(resp.bulk('subscribe'), resp.bulk('a'), resp.int(1)) +
    resp.map(resp.simple('k'), resp.push(resp.double('1.5'), resp.null())) +
    resp.attr([resp.bulk('a'), resp.bool(true)], resp.verbatim('txt', 'v')) +
    resp.blobError('E x'),
);

/** A byte stream, a mutation of a valid one, and where to cut it into chunks. */
const mutated = (seed: Uint8Array) =>
  fc
    .record({
      edits: fc.array(fc.tuple(fc.nat(seed.length + 4), fc.integer({ min: -1, max: 255 })), { maxLength: 4 }),
      cut: fc.nat(seed.length),
    })
    .map(({ edits, cut }) => mutate(seed, edits, cut));

function check(reqBytes: Uint8Array, respBytes: Uint8Array, split: number): void {
  const state = redisDecoder.createState(LIMITS);
  const k1 = Math.min(split, reqBytes.length);
  const k2 = Math.min(split, respBytes.length);
  const q = drive(redisDecoder, state, MessageType.REQUEST, [reqBytes.subarray(0, k1), reqBytes.subarray(k1)]);
  const r = drive(redisDecoder, state, MessageType.RESPONSE, [respBytes.subarray(0, k2), respBytes.subarray(k2)]);
  const out = redisDecoder.stitch(q.frames, r.frames, state);
  assert.ok(q.frames.length <= MAX_PENDING && r.frames.length <= MAX_PENDING);
  for (const rec of out.records) {
    assert.ok(String(rec.resp).length <= LIMIT + TRUNCATED.length, 'resp bounded');
    assert.ok(String(rec.req_args).length <= LIMIT + 2 * TRUNCATED.length, 'args bounded');
    assert.ok(Number(rec.latency) >= 0);
  }
}

describe('redis decoder: fuzz', function () {
  // 100k inputs take a few seconds on a loaded CI machine; the default 2 s would make this flaky.
  this.timeout(60_000);

  it('never throws on random bytes and keeps state bounded (70k inputs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.uint8Array({ maxLength: 48 }), fc.nat(48), check),
      { numRuns: 70_000 },
    );
  });

  it('never throws on mutated valid traffic and keeps state bounded (30k inputs)', () => {
    fc.assert(fc.property(mutated(SEEDS_REQ), mutated(SEEDS_RESP), fc.nat(120), check), { numRuns: 30_000 });
  });

  it('keeps pending frames bounded when replies never come', () => {
    const state = redisDecoder.createState(LIMITS);
    const one = command('GET', 'k');
    const q = drive(redisDecoder, state, MessageType.REQUEST, [concat(...Array.from({ length: MAX_PENDING + 10 }, () => one))]).frames;
    const out = redisDecoder.stitch(q, [], state);
    assert.equal(q.length, MAX_PENDING);
    assert.equal(out.errors, 10);
  });
});
