import assert from 'node:assert/strict';
import { MessageType, type DecodedRecord } from '@nixie/core';
import { createHttp2Decoder } from '../src/decoder.js';
import type { HalfStream } from '../src/half-stream.js';
import { UNDECODED_HEADER } from '../src/hpack.js';
import type { Http2State } from '../src/state.js';
import { concat, F, frame, grpcMessage, indexed, literal, PREFACE_BYTES, T, text } from './builders.js';
import { drive, splits } from '@nixie/core/testing';

const REQ = MessageType.REQUEST;
const RESP = MessageType.RESPONSE;

const settings = () => frame(T.SETTINGS, 0, 0, Uint8Array.of(0, 3, 0, 0, 0, 100));
const settingsAck = () => frame(T.SETTINGS, F.ACK, 0);

function grpcRequestHeaders(path: string): Uint8Array {
  return concat(indexed(3), indexed(6), literal(4, path), literal(1, 'localhost:50051'), literal(31, 'application/grpc'), literal('te', 'trailers'));
}

/** A gRPC unary call on stream `id`: request and response byte streams (the response with trailers). */
function unary(id: number, path: string, reqMsg: string, respMsg: string, status = '0'): { req: Uint8Array; resp: Uint8Array } {
  const req = concat(frame(T.HEADERS, F.END_HEADERS, id, grpcRequestHeaders(path)), frame(T.DATA, F.END_STREAM, id, grpcMessage(reqMsg)));
  const resp = concat(
    frame(T.HEADERS, F.END_HEADERS, id, concat(indexed(8), literal(31, 'application/grpc'))),
    frame(T.DATA, 0, id, grpcMessage(respMsg)),
    frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, id, concat(literal('grpc-status', status, 'without'), literal('grpc-message', status === '0' ? '' : 'boom%20here', 'without'))),
  );
  return { req, resp };
}

function run(reqChunks: Uint8Array[], respChunks: Uint8Array[], opts = {}): { records: DecodedRecord[]; state: Http2State; errors: number } {
  const dec = createHttp2Decoder(opts);
  const state = dec.createState();
  const reqs = drive(dec, state, REQ, reqChunks).frames;
  const resps = drive(dec, state, RESP, respChunks).frames;
  const r = dec.stitch(reqs, resps, state);
  return { records: r.records, state, errors: r.errors };
}

const one = unary(1, '/pkg.Greeter/SayHello', 'world', 'hello world');
const clientStream = concat(PREFACE_BYTES, settings(), settingsAck(), one.req);
const serverStream = concat(settings(), settingsAck(), one.resp);

describe('http2 decoder', () => {
  it('decodes a gRPC unary call into one http_events row', () => {
    const { records } = run([clientStream], [serverStream]);
    assert.equal(records.length, 1);
    const r = records[0]!;
    assert.equal(r.major_version, 2);
    assert.equal(r.req_method, 'POST');
    assert.equal(r.req_path, '/pkg.Greeter/SayHello');
    assert.equal(r.content_type, 2);
    assert.equal(r.req_body, 'world');
    assert.equal(r.req_body_size, 10);
    assert.equal(r.resp_body, 'hello world');
    assert.equal(r.resp_status, 200);
    assert.equal(r.resp_message, 'OK');
    const rh = JSON.parse(String(r.resp_headers)) as Record<string, string>;
    assert.equal(rh['grpc-status'], '0');
    assert.equal(rh[':status'], '200');
    const qh = JSON.parse(String(r.req_headers)) as Record<string, string>;
    assert.equal(qh[':authority'], 'localhost:50051');
    assert.equal(qh.te, 'trailers');
  });

  it('gives the same row for the byte streams split at every boundary', () => {
    const expected = run([clientStream], [serverStream]).records;
    for (const chunks of splits(clientStream)) assert.deepEqual(run(chunks, [serverStream]).records, expected);
    for (const chunks of splits(serverStream)) assert.deepEqual(run([clientStream], chunks).records, expected);
  });

  it('pairs interleaved streams that complete out of order by stream id', () => {
    const a = unary(1, '/s.S/A', 'a', 'A');
    const b = unary(3, '/s.S/B', 'b', 'B');
    // Requests interleave frame by frame; responses come back B first.
    const split = (x: Uint8Array) => {
      const hl = 9 + ((x[1]! << 8) | x[2]!);
      return [x.subarray(0, hl), x.subarray(hl)];
    };
    const [ah, ad] = split(a.req);
    const [bh, bd] = split(b.req);
    const { records } = run([concat(PREFACE_BYTES, ah!, bh!, bd!, ad!)], [concat(b.resp, a.resp)]);
    assert.deepEqual(
      records.map((r) => [r.req_path, r.resp_body]),
      [['/s.S/B', 'B'], ['/s.S/A', 'A']],
    );
  });

  it('decodes two complete calls that arrive in one chunk', () => {
    const a = unary(1, '/s.S/A', 'a', 'A');
    const b = unary(3, '/s.S/B', 'b', 'B');
    const { records } = run([concat(a.req, b.req)], [concat(a.resp, b.resp)]);
    assert.equal(records.length, 2);
  });

  it('reads grpc-status and a percent-encoded grpc-message from trailers', () => {
    const c = unary(1, '/s.S/Fail', 'x', '', '13');
    const { records } = run([c.req], [c.resp]);
    assert.equal(records[0]!.resp_status, 200);
    assert.equal(records[0]!.resp_message, 'boom here');
  });

  it('assembles a header block split over CONTINUATION frames', () => {
    const block = grpcRequestHeaders('/s.S/Continued');
    const req = concat(
      frame(T.HEADERS, F.END_STREAM, 1, block.subarray(0, 5)),
      frame(T.CONTINUATION, 0, 1, block.subarray(5, 12)),
      frame(T.CONTINUATION, F.END_HEADERS, 1, block.subarray(12)),
    );
    const resp = frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, indexed(13));
    const { records } = run([req], [resp]);
    assert.equal(records[0]!.req_path, '/s.S/Continued');
    assert.equal(records[0]!.resp_status, 404);
    assert.equal(records[0]!.resp_message, 'Not Found');
  });

  it('skips padding and priority fields', () => {
    const hdr = concat(indexed(2), indexed(4));
    const headers = frame(T.HEADERS, F.END_HEADERS | F.PADDED | F.PRIORITY, 1, concat(Uint8Array.of(3), Uint8Array.of(0, 0, 0, 0, 16), hdr, new Uint8Array(3)));
    const data = frame(T.DATA, F.END_STREAM | F.PADDED, 1, concat(Uint8Array.of(2), text('{"a":1}'), new Uint8Array(2)));
    const resp = concat(frame(T.HEADERS, F.END_HEADERS, 1, concat(indexed(8), literal(31, 'application/json'))), frame(T.DATA, F.END_STREAM, 1, text('ok')));
    const { records } = run([concat(headers, data)], [resp]);
    assert.equal(records[0]!.req_method, 'GET');
    assert.equal(records[0]!.req_body, '{"a":1}');
    assert.equal(records[0]!.req_body_size, 7);
    assert.equal(records[0]!.content_type, 1);
  });

  it('ends a call the client reset (RST_STREAM CANCEL) with the request kept', () => {
    const req = concat(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, grpcRequestHeaders('/s.S/Slow')), frame(T.RST_STREAM, 0, 1, Uint8Array.of(0, 0, 0, 8)));
    const resp = frame(T.HEADERS, F.END_HEADERS, 1, indexed(8));
    const { records, state } = run([req], [resp]);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.req_path, '/s.S/Slow');
    assert.equal(records[0]!.resp_message, 'RST_STREAM CANCEL');
    assert.equal(state.dirs[RESP].open.size, 0);
  });

  it('keeps a request seen mid-connection and marks the headers it could not decode', () => {
    // The first call put :path and content-type in the dynamic table; we attach after it.
    const first = concat(indexed(3), literal(4, '/s.S/M'), literal(31, 'application/grpc'));
    const second = concat(indexed(3), indexed(63), indexed(62)); // :path and content-type by dynamic index
    const dec = createHttp2Decoder();
    const full = dec.createState();
    const missed = dec.createState();
    const req2 = concat(frame(T.HEADERS, F.END_HEADERS, 3, second), frame(T.DATA, F.END_STREAM, 3, grpcMessage('m')));
    const withFirst = drive(dec, full, REQ, [frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, first), req2]).frames;
    assert.equal(withFirst[1]!.headers[3], '/s.S/M');
    const frames = drive(dec, missed, REQ, [req2]).frames;
    const resp = concat(frame(T.HEADERS, F.END_HEADERS, 3, indexed(8)), frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 3, literal('grpc-status', '0')));
    const resps = drive(dec, missed, RESP, [resp]).frames;
    const { records } = dec.stitch(frames, resps, missed);
    assert.equal(records.length, 1);
    const h = JSON.parse(String(records[0]!.req_headers)) as Record<string, string>;
    assert.equal(h[UNDECODED_HEADER], '2');
    assert.equal(records[0]!.req_method, 'POST');
    assert.equal(records[0]!.req_path, '');
  });

  it('keeps a stream whose HEADERS were never seen and marks it', () => {
    const { records } = run([frame(T.DATA, F.END_STREAM, 5, text('tail'))], [frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 5, indexed(8))]);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.req_body, 'tail');
    assert.equal((JSON.parse(String(records[0]!.req_headers)) as Record<string, string>)[UNDECODED_HEADER], '1');
  });

  it('cuts bodies at the body limit and reports the full size', () => {
    const big = 'x'.repeat(2000);
    const c = unary(1, '/s.S/Big', big, 'y');
    const { records } = run([c.req], [c.resp], { bodyLimit: 100 });
    assert.equal(records[0]!.req_body, 'x'.repeat(100));
    assert.equal(records[0]!.req_body_size, 2005);
  });

  it('cuts the headers JSON at the headers limit and says how many fields it left out', () => {
    const many = concat(indexed(2), indexed(4), ...Array.from({ length: 50 }, (_, i) => literal(`x-h${i}`, 'v'.repeat(40), 'without')));
    const { records } = run([frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, many)], [frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, indexed(8))], { headersLimit: 600 });
    const json = String(records[0]!.req_headers);
    assert.ok(json.length <= 600, `${json.length}`);
    assert.ok(Number((JSON.parse(json) as Record<string, string>)[':nixie-truncated']) > 30);
  });

  it('shows each gRPC message of a stream on its own line, binary bytes escaped', () => {
    const req = concat(
      frame(T.HEADERS, F.END_HEADERS, 1, grpcRequestHeaders('/s.S/Stream')),
      frame(T.DATA, 0, 1, concat(grpcMessage(Uint8Array.of(0x0a, 0x01, 0x61)), grpcMessage('two').subarray(0, 3))),
      frame(T.DATA, F.END_STREAM, 1, grpcMessage('two').subarray(3)),
    );
    const { records } = run([req], [unary(1, '', '', 'r').resp]);
    assert.equal(records[0]!.req_body, '\\x0a\\x01a\ntwo');
  });

  it('skips a 1xx response head and keeps the final one', () => {
    const resp = concat(frame(T.HEADERS, F.END_HEADERS, 1, literal(8, '100')), frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, indexed(13)));
    const { records } = run([frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, indexed(2))], [resp]);
    assert.equal(records[0]!.resp_status, 404);
  });

  it('decodes PUSH_PROMISE blocks to keep HPACK in step, without a row', () => {
    const push = frame(T.PUSH_PROMISE, F.END_HEADERS, 1, concat(Uint8Array.of(0, 0, 0, 2), literal(4, '/pushed')));
    const resp = concat(push, frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, concat(indexed(8), indexed(62))));
    const { records } = run([frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, indexed(2))], [resp]);
    assert.equal(records.length, 1);
    assert.equal((JSON.parse(String(records[0]!.resp_headers)) as Record<string, string>)[':path'], '/pushed');
  });

  it('keeps an unmatched request for the next stitch call', () => {
    const dec = createHttp2Decoder();
    const state = dec.createState();
    const c = unary(1, '/s.S/Later', 'q', 'r');
    const reqs: HalfStream[] = drive(dec, state, REQ, [c.req]).frames;
    const resps: HalfStream[] = [];
    assert.equal(dec.stitch(reqs, resps, state).records.length, 0);
    assert.equal(reqs.length, 1);
    resps.push(...drive(dec, state, RESP, [c.resp]).frames);
    assert.equal(dec.stitch(reqs, resps, state).records.length, 1);
    assert.equal(reqs.length + resps.length, 0);
  });

  it('takes body and headers limits from the agent through createState', () => {
    const dec = createHttp2Decoder();
    const state = dec.createState({ bodyLimitBytes: 3, headersLimitBytes: 8192 });
    const c = unary(1, '/s.S/L', 'abcdef', 'r');
    const reqs = drive(dec, state, REQ, [c.req]).frames;
    const resps = drive(dec, state, RESP, [c.resp]).frames;
    assert.equal(dec.stitch(reqs, resps, state).records[0]!.req_body, 'abc');
  });

  it('after a gap, reports headers that referenced the lost table as undecoded instead of misreading them', () => {
    const dec = createHttp2Decoder();
    const state = dec.createState();
    const first = frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, concat(indexed(2), literal(4, '/before-gap')));
    drive(dec, state, REQ, [first]);
    dec.onGap!(REQ, state);
    const after = drive(dec, state, REQ, [frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 3, concat(indexed(2), indexed(62)))]).frames;
    assert.equal(after[0]!.undecoded, 1);
    assert.deepEqual(after[0]!.headers, [':method', 'GET']);
  });

  const invalidHeaders: [string, Uint8Array][] = [
    ['SETTINGS on a stream', frame(T.SETTINGS, 0, 1, new Uint8Array(6))],
    ['SETTINGS of odd length', frame(T.SETTINGS, 0, 0, new Uint8Array(5))],
    ['PING of 7 bytes', frame(T.PING, 0, 0, new Uint8Array(7))],
    ['DATA on stream 0', frame(T.DATA, 0, 0, text('x'))],
    ['RST_STREAM of 3 bytes', frame(T.RST_STREAM, 0, 1, new Uint8Array(3))],
    ['an unknown frame type 0xee', frame(0xee, 0, 0, new Uint8Array(1))],
    ['padding longer than the payload', frame(T.DATA, F.PADDED, 1, Uint8Array.of(9, 1))],
    ['a text protocol', text('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
  ];
  for (const [name, bytes] of invalidHeaders) {
    it(`returns invalid for ${name}`, () => {
      const dec = createHttp2Decoder();
      const state = dec.createState();
      state.dirs[REQ].prefaceDone = true;
      assert.equal(dec.parseFrame(REQ, bytes, state).kind, 'invalid');
    });
  }

  it('finds the next frame after garbage and decodes from there', () => {
    const dec = createHttp2Decoder();
    const garbage = text('\x01\x02garbage bytes that are not frames\xff\xff');
    const stream = concat(garbage, one.req);
    const b = dec.findFrameBoundary(REQ, stream, 0);
    assert.equal(b, garbage.length);
    const { records } = run([stream], [one.resp]);
    assert.equal(records.length, 1);
  });

  it('waits for the rest of a partial preface', () => {
    const dec = createHttp2Decoder();
    const state = dec.createState();
    assert.equal(dec.parseFrame(REQ, PREFACE_BYTES.subarray(0, 10), state).kind, 'needs-more-data');
    const r = dec.parseFrame(REQ, PREFACE_BYTES, state);
    assert.deepEqual(r, { kind: 'ignored', consumed: 24 });
  });
});
