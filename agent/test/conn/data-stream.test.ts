import assert from 'node:assert/strict';
import { DataStream, DEFAULT_STREAM_OPTIONS, type DataStreamOptions } from '../../src/conn/data-stream.js';
import { bracketDecoder, REQ, type BracketFrame } from '../bracket-decoder.js';

const opts = (o: Partial<DataStreamOptions> = {}): DataStreamOptions => ({ ...DEFAULT_STREAM_OPTIONS, ...o });

/** Appends text at a position with a timestamp. */
function put(s: DataStream, pos: number, text: string, ts: number): void {
  const b = Buffer.from(text, 'latin1');
  s.append(pos, b, 0, b.length, ts);
}

function parseAll(s: DataStream): BracketFrame[] {
  const out: BracketFrame[] = [];
  s.parse(bracketDecoder, REQ, bracketDecoder.createState(), out);
  return out;
}

describe('DataStream', () => {
  it('parses contiguous events and stamps frames with their first and last byte times', () => {
    const s = new DataStream(opts());
    put(s, 0, '[ab', 10);
    put(s, 3, 'c][d', 20);
    put(s, 7, 'e]', 30);
    const out = parseAll(s);
    assert.deepEqual(out.map((f) => [f.text, f.startNs, f.endNs]), [['abc', 10, 20], ['de', 20, 30]]);
    assert.equal(s.bufferedBytes, 0);
  });

  it('starts at the first position it sees (capture began mid-connection)', () => {
    const s = new DataStream(opts());
    put(s, 1000, '[x]', 1);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['x']);
  });

  it('puts an event from before its first position in front while nothing was taken (a ring out of order)', () => {
    const s = new DataStream(opts());
    put(s, 8, 'o]', 3);
    put(s, 0, '[one]', 1);
    put(s, 5, '[tw', 2);
    const out = parseAll(s);
    assert.deepEqual(out.map((f) => [f.text, f.startNs, f.endNs]), [['one', 1, 1], ['two', 2, 3]]);
    assert.equal(s.counters.bytesDropped, 0);
    // Once bytes were taken, an earlier event is old news.
    put(s, 0, '[one]', 9);
    put(s, 10, '[3]', 10);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['3']);
  });

  it('an earlier event that leaves a gap before the first one: the gap is skipped after its patience', () => {
    const s = new DataStream(opts({ gapPatience: 1 }));
    put(s, 10, '[b]', 2);
    put(s, 0, '[a]', 1);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['a']);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['b']);
    assert.equal(s.counters.gapsSkipped, 1);
  });

  it('after reset() behaves as a new stream, whatever state it was left in', () => {
    const used = new DataStream(opts({ gapPatience: 1, maxBytes: 64 }));
    put(used, 100, '[a][b', 1);
    put(used, 120, '[late]', 2);
    put(used, 140, 'x'.repeat(100), 3);
    parseAll(used);
    put(used, 240, '[c][d', 5);
    put(used, 250, '[e]', 6);
    assert.ok(used.counters.bytesDropped > 0 && used.counters.gapsSkipped > 0 && used.bufferedBytes > 0 && used.hasGap);
    used.reset();
    const fresh = new DataStream(opts({ gapPatience: 1, maxBytes: 64 }));
    for (const s of [used, fresh]) {
      assert.equal(s.bufferedBytes, 0);
      assert.equal(s.hasGap, false);
      put(s, 8, 'o]', 3);
      put(s, 0, '[one]', 1);
      put(s, 5, '[tw', 2);
      put(s, 20, '[far]', 4);
    }
    const run = (s: DataStream) => [parseAll(s), parseAll(s)].map((fs) => fs.map((f) => [f.text, f.startNs, f.endNs]));
    const got = run(used);
    assert.deepEqual(got, [[['one', 1, 1], ['two', 2, 3]], [['far', 4, 4]]]);
    assert.deepEqual(got, run(fresh));
    assert.deepEqual(used.counters, fresh.counters);
  });

  it('places out-of-order events by position', () => {
    const s = new DataStream(opts());
    put(s, 0, '[one]', 1);
    put(s, 10, '[three]', 3);
    put(s, 5, '[two]', 2);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['one', 'two', 'three']);
    assert.equal(s.counters.gapsSkipped, 0);
  });

  it('ignores duplicate and overlapping bytes', () => {
    const s = new DataStream(opts());
    put(s, 0, '[abc', 1);
    put(s, 0, '[abc', 1);
    put(s, 2, 'bcd]', 2);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['abcd']);
  });

  it('skips a gap that outlives its patience and resumes at the next frame boundary', () => {
    const s = new DataStream(opts({ gapPatience: 1 }));
    put(s, 0, '[lost', 1);
    put(s, 100, 'tail][kept]', 2); // bytes 5..100 never come
    assert.deepEqual(parseAll(s), [], 'waits one round for the missing bytes');
    const out = parseAll(s);
    assert.deepEqual(out.map((f) => f.text), ['kept']);
    assert.equal(s.counters.gapsSkipped, 1);
    assert.ok(s.counters.bytesDropped >= 5 + 5);
  });

  it('fills a gap that closes within its patience', () => {
    const s = new DataStream(opts({ gapPatience: 1 }));
    put(s, 0, '[ab', 1);
    put(s, 5, 'e]', 3);
    assert.deepEqual(parseAll(s), []);
    put(s, 3, 'cd', 2);
    assert.deepEqual(parseAll(s).map((f) => [f.text, f.startNs, f.endNs]), [['abcde', 1, 3]]);
  });

  it('resyncs after junk with the decoder boundary finder and counts it', () => {
    const s = new DataStream(opts());
    put(s, 0, 'garbage[a]more junk[b]', 1);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['a', 'b']);
    assert.equal(s.counters.invalid, 2);
  });

  it('gives up on a frame that stays incomplete while newer bytes keep coming', () => {
    const s = new DataStream(opts({ stuckNs: 1000 }));
    put(s, 0, '[never closes', 1);
    assert.deepEqual(parseAll(s), []);
    put(s, 13, ' [x', 5000);
    assert.deepEqual(parseAll(s), []);
    assert.equal(s.counters.resyncs, 1);
    put(s, 16, ']', 5001);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['x']);
  });

  it('stays within its byte limit, dropping the head and resyncing', () => {
    const s = new DataStream(opts({ maxBytes: 1024 }));
    let pos = 0;
    const chunk = '[' + 'z'.repeat(300);
    for (let i = 0; i < 20; i++) {
      put(s, pos, chunk, i);
      pos += chunk.length;
      assert.ok(s.bufferedBytes <= 1024, `${s.bufferedBytes}`);
    }
    put(s, pos, '][ok]', 99);
    assert.deepEqual(parseAll(s).map((f) => f.text).slice(-1), ['ok']);
    assert.ok(s.counters.bytesDropped > 0);
  });

  it('bounds bytes held beyond a gap too', () => {
    const s = new DataStream(opts({ maxBytes: 1024, gapPatience: 100 }));
    put(s, 0, '[a', 1);
    for (let i = 0; i < 10; i++) put(s, 1000 + i * 300, 'x'.repeat(300), 2);
    assert.ok(s.bufferedBytes <= 1024, `${s.bufferedBytes}`);
  });

  it('stops at end of stream and drops later bytes', () => {
    const s = new DataStream(opts());
    put(s, 0, '[a][eos][b]', 1);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['a']);
    assert.equal(s.ended, true);
    put(s, 11, '[c]', 2);
    assert.equal(s.bufferedBytes, 0);
  });

  it('skips ignored frames', () => {
    const s = new DataStream(opts());
    put(s, 0, '[][a]', 1);
    assert.deepEqual(parseAll(s).map((f) => f.text), ['a']);
  });

  it('flush at close skips every gap and parses the rest', () => {
    const s = new DataStream(opts({ gapPatience: 100 }));
    put(s, 0, '[a][b', 1);
    put(s, 50, '[c]', 2);
    put(s, 90, '[d]', 3);
    const out: BracketFrame[] = [];
    s.flush(bracketDecoder, REQ, bracketDecoder.createState(), out);
    assert.deepEqual(out.map((f) => f.text), ['a', 'c', 'd']);
  });

  it('parses each datagram alone in datagram mode', () => {
    const s = new DataStream(opts({ datagram: true }));
    put(s, 0, '[a]', 1);
    put(s, 3, '[b', 2); // a truncated datagram is not completed by the next one
    put(s, 5, ']', 3);
    put(s, 6, '[c]', 4);
    const out = parseAll(s);
    assert.deepEqual(out.map((f) => [f.text, f.startNs]), [['a', 1], ['c', 4]]);
    assert.equal(s.counters.invalid, 2);
  });
});
