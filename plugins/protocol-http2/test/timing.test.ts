import assert from 'node:assert/strict';
import { MessageType, type ParseContext } from '@nixie/core';
import { createHttp2Decoder } from '../src/decoder.js';
import type { HalfStream } from '../src/half-stream.js';
import { concat, F, frame, indexed, literal, PREFACE_BYTES, T, text } from './builders.js';

const dec = createHttp2Decoder();

/**
 * Parses one direction frame by frame as the agent's DataStream does: ctx.startNs = capture time of the head
 * byte, and on success the agent's own startNs/endNs (those of the last HTTP/2 frame).
 */
function parseTimed(type: MessageType, state: ReturnType<typeof dec.createState>, parts: [Uint8Array, number][]): HalfStream[] {
  const out: HalfStream[] = [];
  const ctx: ParseContext = { startNs: 0 };
  for (const [bytes, ts] of parts) {
    let off = 0;
    while (off < bytes.length) {
      ctx.startNs = ts;
      const r = dec.parseFrame(type, bytes.subarray(off), state, ctx);
      assert.ok(r.kind === 'success' || r.kind === 'ignored', r.kind);
      if (r.kind === 'success') {
        r.frame.startNs = ts;
        r.frame.endNs = ts + 10;
        out.push(r.frame);
      }
      off += r.consumed;
    }
  }
  return out;
}

describe('http2 decoder: half-stream timing (ParseContext)', () => {
  it('a half-stream starts at its first HTTP/2 frame: latency = last response byte - first request byte', () => {
    const state = dec.createState();
    const reqHeaders = frame(T.HEADERS, F.END_HEADERS, 1, concat(indexed(3), indexed(6), literal(':path', '/slow', 'without'), literal(':authority', 'x', 'without')));
    const requests = parseTimed(MessageType.REQUEST, state, [
      [concat(PREFACE_BYTES, frame(T.SETTINGS, 0, 0)), 1_000],
      [reqHeaders, 2_000],
      [frame(T.DATA, 0, 1, text('part1')), 3_000],
      [frame(T.DATA, F.END_STREAM, 1, text('part2')), 200_000_000],
    ]);
    const responses = parseTimed(MessageType.RESPONSE, state, [
      [frame(T.HEADERS, F.END_HEADERS, 1, indexed(8)), 250_000_000],
      [frame(T.DATA, 0, 1, text('ok')), 300_000_000],
      [frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, literal('x-done', '1', 'without')), 400_000_000],
    ]);
    assert.equal(requests.length, 1);
    assert.equal(responses.length, 1);
    const { records } = dec.stitch(requests, responses, state);
    assert.equal(records.length, 1);
    assert.equal(requests.length + responses.length, 0);
    const rec = records[0]!;
    assert.equal(rec.req_path, '/slow');
    assert.equal(rec.time_, 400_000_010);
    assert.equal(rec.latency, 400_000_010 - 2_000, 'from the request HEADERS, not its last DATA frame');
  });

  it("the request's startNs comes before the response's, and without a context the agent's times stand", () => {
    const state = dec.createState();
    const [req] = parseTimed(MessageType.REQUEST, state, [
      [frame(T.HEADERS, F.END_HEADERS, 3, concat(indexed(2), indexed(6), indexed(4))), 5_000],
      [frame(T.DATA, F.END_STREAM, 3, text('b')), 90_000],
    ]);
    const [resp] = parseTimed(MessageType.RESPONSE, state, [
      [frame(T.HEADERS, F.END_HEADERS, 3, indexed(8)), 100_000],
      [frame(T.DATA, F.END_STREAM, 3, text('r')), 150_000],
    ]);
    assert.equal(req!.firstNs, 5_000);
    assert.equal(resp!.firstNs, 100_000);
    const { records } = dec.stitch([req!], [resp!], state);
    assert.equal(req!.startNs, 5_000);
    assert.equal(resp!.startNs, 100_000);
    assert.ok(req!.startNs < resp!.startNs);
    assert.equal(records[0]!.latency, 150_010 - 5_000);

    // No context (a caller that is not the agent): nothing changes.
    const s2 = dec.createState();
    const r = dec.parseFrame(MessageType.REQUEST, frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, concat(indexed(2), indexed(6), indexed(4))), s2);
    assert.equal(r.kind, 'success');
    if (r.kind === 'success') assert.equal(r.frame.firstNs, 0);
  });
});
