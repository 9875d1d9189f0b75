import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as packet from 'dns-packet';
import { MessageType } from '@nixie/core';
import { dnsDecoder, type DnsFrame } from '../src/decoder.js';
import { MAX_PENDING_REQUESTS } from '../src/stitch.js';
import { drive } from '@nixie/core/testing';

// 40 k random + 40 k mutated datagrams, 40 k random TCP streams: no throw, bounded state.
const RUNS = 40_000;

const valid = packet.encode({
  type: 'response',
  id: 42,
  flags: packet.RECURSION_DESIRED,
  questions: [{ type: 'A', name: 'fuzz.example.test' }],
  answers: [
    { type: 'CNAME', name: 'fuzz.example.test', data: 'b.example.test' },
    { type: 'A', name: 'b.example.test', data: '1.2.3.4' },
  ],
});

function datagram(type: MessageType, bytes: Uint8Array): void {
  const state = dnsDecoder.createState(undefined, 'datagram');
  const r = dnsDecoder.parseFrame(type, bytes, state);
  if (r.kind === 'success') {
    assert.equal(r.consumed, bytes.length);
    JSON.parse(r.frame.header);
    JSON.parse(r.frame.body);
  } else {
    assert.equal(r.kind, 'invalid');
  }
}

describe('dns decoder fuzz', function () {
  // Bounded work (a fixed number of runs); the timeout only guards a slow shared CI machine.
  this.timeout(60_000);

  it(`survives ${RUNS} random datagrams`, () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), fc.boolean(), (b, resp) => datagram(resp ? MessageType.RESPONSE : MessageType.REQUEST, b)), { numRuns: RUNS });
  });

  it(`survives ${RUNS} mutations of a real response`, () => {
    const mutation = fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(mutation, (muts) => {
        const m = Uint8Array.from(valid);
        for (const [i, v] of muts) m[i] = v;
        datagram(MessageType.RESPONSE, m);
      }),
      { numRuns: RUNS },
    );
  });

  it(`survives ${RUNS} random TCP streams and stitches within bounds`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), fc.nat(160), (b, cut) => {
        const state = dnsDecoder.createState(undefined, 'stream');
        const reqs: DnsFrame[] = drive(dnsDecoder, state, MessageType.REQUEST, [b.subarray(0, cut), b.subarray(cut)]).frames;
        const resps: DnsFrame[] = drive(dnsDecoder, state, MessageType.RESPONSE, [b]).frames;
        dnsDecoder.stitch(reqs, resps, state);
        assert.ok(reqs.length <= MAX_PENDING_REQUESTS);
      }),
      { numRuns: RUNS },
    );
  });
});
