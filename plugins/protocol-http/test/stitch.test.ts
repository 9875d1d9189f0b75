import assert from 'node:assert/strict';
import { parseMessage, parseMessageJs } from '../src/parse.js';
import { stitchHttp } from '../src/stitch.js';
import { httpDecoder } from '../src/decoder.js';
import { HttpMessage, type HttpState } from '../src/types.js';
import { msg, REQ, RESP } from './helpers.js';

type Parse = typeof parseMessage;

/** Every field a frame has, its text as strings. */
function fields(f: HttpMessage): Record<string, unknown> {
  return {
    type: f.type, minorVersion: f.minorVersion, method: f.method, status: f.status, contentType: f.contentType,
    bodySize: f.bodySize, path: f.path, message: f.message, headers: f.headers, body: f.body, startNs: f.startNs,
    endNs: f.endNs, textStart: f.textStart, textEnd: f.textEnd, headersEnd: f.headersEnd, bodyEnd: f.bodyEnd,
    rawBase: f.rawBase,
  };
}

function parseOne(parse: Parse, type: typeof REQ | typeof RESP, bytes: Buffer, s: HttpState): HttpMessage {
  const r = parse(type, bytes, s);
  assert.equal(r.kind, 'success');
  return (r as { frame: HttpMessage }).frame;
}

// Every field differs between the first exchange and the second, whichever frame takes whichever message.
const FIRST = [
  msg(['POST /orders?id=1 HTTP/1.0', 'Content-Type: application/json', 'Content-Length: 7'], '{"n":1}'),
  msg(['HTTP/1.0 201 Created', 'Content-Type: application/json', 'Content-Length: 5', 'X-A: b'], 'hello'),
] as const;
const SECOND = [msg(['GET /b HTTP/1.1', 'Host: h']), msg(['HTTP/1.1 404 Not Found', 'Content-Length: 4'], 'nope')] as const;

describe('@nixie/protocol-http stitched frames, reused by the parsers', () => {
  for (const [name, parse] of [['WebAssembly', parseMessage], ['JS', parseMessageJs]] as const) {
    it(`a stitched frame takes the next message with every field written anew (${name} parser)`, () => {
      // What the second exchange parses to in frames never used before.
      const fresh = httpDecoder.createState();
      const want = SECOND.map((b, i) => fields(parseOne(parse, i === 0 ? REQ : RESP, b, fresh)));
      // Rebased: the second exchange goes to another state's arenas.
      const s = httpDecoder.createState();
      want[0]!.rawBase = s.requestText.base;
      want[1]!.rawBase = s.responseText.base;

      // Two exchanges, so that the frames reused first (the last stitched) have text past the start of the arenas.
      const reqs = [parseOne(parse, REQ, FIRST[0], s), parseOne(parse, REQ, FIRST[0], s)];
      const resps = [parseOne(parse, RESP, FIRST[1], s), parseOne(parse, RESP, FIRST[1], s)];
      const [req, resp] = [reqs[1]!, resps[1]!];
      assert.ok(req.textStart > 0 && resp.textStart > 0);
      req.startNs = 100;
      req.endNs = 110;
      resp.startNs = 150;
      resp.endNs = 160;
      const out = stitchHttp(reqs, resps, s);
      assert.equal(out.records[1]!.req_path, '/orders?id=1');
      assert.equal(out.records[1]!.resp_body, 'hello');

      const again = [parseOne(parse, REQ, SECOND[0], s), parseOne(parse, RESP, SECOND[1], s)];
      assert.deepEqual(new Set(again), new Set([req, resp]), 'the stitched frames are reused');
      assert.deepEqual(again.map(fields), want);
      assert.equal(again[0]!.raw, s.requestText.buf);
      assert.equal(again[1]!.raw, s.responseText.buf);
    });
  }

  it('leaves frames still waiting (pipelined requests) as they were, while stitched ones are reused', () => {
    const s = httpDecoder.createState();
    const reqs = ['/1', '/2', '/3'].map((p) => parseOne(parseMessage, REQ, msg([`GET ${p} HTTP/1.1`, `X-P: ${p}`]), s));
    const resps = [parseOne(parseMessage, RESP, msg(['HTTP/1.1 200 OK', 'Content-Length: 1'], 'a'), s)];
    const waiting = reqs.slice(1);
    const before = waiting.map(fields);
    assert.deepEqual(stitchHttp(reqs, resps, s).records.map((r) => r.req_path), ['/1']);
    assert.deepEqual(reqs, waiting);
    // Two more responses, in the frames just stitched, answer the waiting requests.
    resps.push(parseOne(parseMessage, RESP, msg(['HTTP/1.1 201 OK', 'Content-Length: 1'], 'b'), s));
    resps.push(parseOne(parseMessage, RESP, msg(['HTTP/1.1 202 OK', 'Content-Length: 1'], 'c'), s));
    assert.deepEqual(waiting.map(fields), before);
    const rows = stitchHttp(reqs, resps, s).records;
    assert.deepEqual(rows.map((r) => [r.req_path, r.req_headers, r.resp_status, r.resp_body]), [
      ['/2', '{"X-P":"/2"}', 201, 'b'],
      ['/3', '{"X-P":"/3"}', 202, 'c'],
    ]);
  });

  it('hands a frame stitched twice out once', () => {
    const s = httpDecoder.createState();
    const req = parseOne(parseMessage, REQ, FIRST[0], s);
    const resp = parseOne(parseMessage, RESP, FIRST[1], s);
    stitchHttp([req, req], [resp, resp], s);
    const next = [0, 1, 2].map(() => parseOne(parseMessage, REQ, SECOND[0], s));
    assert.equal(new Set(next).size, 3);
  });

  it("reuses only the parsers' frames: HttpMessage.of's stay their caller's", () => {
    const s = httpDecoder.createState();
    const req = HttpMessage.of({ type: REQ, path: '/mine' });
    const resp = HttpMessage.of({ type: RESP, status: 200, body: 'kept' });
    stitchHttp([req], [resp], s);
    const next = [parseOne(parseMessage, REQ, SECOND[0], s), parseOne(parseMessage, RESP, SECOND[1], s)];
    assert.ok(!next.includes(req) && !next.includes(resp));
    assert.equal(req.path, '/mine');
    assert.equal(resp.body, 'kept');
  });
});
