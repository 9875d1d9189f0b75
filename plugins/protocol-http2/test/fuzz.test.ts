import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageType } from '@nixie/core';
import { createHttp2Decoder } from '../src/decoder.js';
import { MAX_TABLE_SIZE } from '../src/hpack.js';
import { MAX_HEADER_BLOCK, MAX_OPEN_STREAMS, type Http2State } from '../src/state.js';
import { MAX_PENDING_REQUESTS, MAX_PENDING_RESPONSES } from '../src/stitch.js';
import { concat, F, frame, grpcMessage, indexed, literal, PREFACE_BYTES, T } from './builders.js';
import { drive } from '@nixie/core/testing';

// 60 k random + 60 k mutated inputs: no throw, every buffer and table within its bound.
const RUNS = 55_000;
const dec = createHttp2Decoder();

function assertBounded(state: Http2State): void {
  for (const d of state.dirs) {
    assert.ok(d.open.size <= MAX_OPEN_STREAMS);
    assert.ok(d.block.length <= MAX_HEADER_BLOCK);
    assert.ok(d.hpack.size <= MAX_TABLE_SIZE);
    for (const hs of d.open.values()) assert.ok(hs.body.length <= state.limits.bodyLimit);
  }
}

function exercise(req: Uint8Array[], resp: Uint8Array[]): void {
  const state = dec.createState();
  const reqs = drive(dec, state, MessageType.REQUEST, req).frames;
  const resps = drive(dec, state, MessageType.RESPONSE, resp).frames;
  const r = dec.stitch(reqs, resps, state);
  assert.ok(reqs.length <= MAX_PENDING_REQUESTS && resps.length <= MAX_PENDING_RESPONSES);
  for (const rec of r.records) assert.equal(typeof rec.req_headers, 'string');
  assertBounded(state);
}

const valid = concat(
  PREFACE_BYTES,
  frame(T.SETTINGS, 0, 0, new Uint8Array(6)),
  frame(T.HEADERS, F.END_HEADERS, 1, concat(indexed(3), literal(4, '/a.B/C', 'incremental', true), literal(31, 'application/grpc'))),
  frame(T.DATA, 0, 1, grpcMessage('hello')),
  frame(T.HEADERS, F.END_STREAM, 3, concat(indexed(2), indexed(62))),
  frame(T.CONTINUATION, F.END_HEADERS, 3, indexed(63)),
  frame(T.DATA, F.END_STREAM, 1, grpcMessage('x')),
  frame(T.RST_STREAM, 0, 5, Uint8Array.of(0, 0, 0, 8)),
);

describe('http2 decoder fuzz', function () {
  // Bounded work (a fixed number of runs); the timeout only guards a slow shared CI machine.
  this.timeout(60_000);
  it(`survives ${RUNS} random byte streams, split at random points`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ maxLength: 120 }), fc.nat(120), (a, b, cut) => {
        exercise([a.subarray(0, cut), a.subarray(cut)], [b]);
      }),
      { numRuns: RUNS },
    );
  });

  it(`survives ${RUNS} mutations of a valid gRPC exchange`, () => {
    const mutation = fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(mutation, fc.nat(valid.length), (muts, cut) => {
        const m = valid.slice();
        for (const [i, v] of muts) m[i] = v;
        exercise([m.subarray(0, cut), m.subarray(cut)], [m]);
      }),
      { numRuns: RUNS },
    );
  });
});
