import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { MessageType } from '@nixie/core';
import { httpDecoder } from '../src/decoder.js';
import { chunked, drain, feedSplit, msg, REQ, RESP } from './helpers.js';
import type { HttpMessage } from '../src/types.js';

const state = (body = 512, headers = 8192) => httpDecoder.createState({ bodyLimitBytes: body, headersLimitBytes: headers });

describe('@nixie/protocol-http parseFrame', () => {
  it('parses a GET request with its headers as JSON', () => {
    const r = drain(REQ, msg(['GET /api/v1/items?x=1 HTTP/1.1', 'Host: example', 'Accept: */*']), state());
    assert.equal(r.frames.length, 1);
    const f = r.frames[0]!;
    assert.equal(f.method, 'GET');
    assert.equal(f.path, '/api/v1/items?x=1');
    assert.equal(f.minorVersion, 1);
    assert.deepEqual(JSON.parse(f.headers), { Host: 'example', Accept: '*/*' });
    assert.equal(f.bodySize, 0);
    assert.equal(r.rest, 0);
  });

  it('parses a response with Content-Length and a JSON body', () => {
    const s = state();
    drain(REQ, msg(['POST /x HTTP/1.1', 'Content-Length: 2'], 'hi'), s);
    const r = drain(RESP, msg(['HTTP/1.1 201 Created', 'Content-Type: application/json', 'Content-Length: 7'], '{"a":1}'), s);
    const f = r.frames[0]!;
    assert.equal(f.status, 201);
    assert.equal(f.message, 'Created');
    assert.equal(f.body, '{"a":1}');
    assert.equal(f.contentType, 1);
    assert.equal(f.bodySize, 7);
  });

  it('cuts bodies at the limit and reports the full size', () => {
    const body = 'x'.repeat(2000);
    const r = drain(REQ, msg(['POST /up HTTP/1.1', 'Content-Length: 2000'], body), state(512));
    assert.equal(r.frames[0]!.body, 'x'.repeat(512));
    assert.equal(r.frames[0]!.bodySize, 2000);
  });

  it('parses chunked bodies with trailers', () => {
    const s = state();
    drain(REQ, msg(['GET / HTTP/1.1']), s);
    const body = chunked(['hello ', 'chunked ', 'world'], ['X-Checksum: abc', 'X-Other: 1']);
    const whole = Buffer.concat([msg(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'], body), msg(['HTTP/1.1 200 OK', 'Content-Length: 0'])]);
    s.methods.push('GET');
    const r = drain(RESP, whole, s);
    assert.equal(r.frames.length, 2);
    assert.equal(r.frames[0]!.body, 'hello chunked world');
    assert.equal(r.frames[0]!.bodySize, 19);
    assert.equal(r.rest, 0);
  });

  it('takes pipelined requests from one chunk', () => {
    const whole = Buffer.concat([msg(['GET /a HTTP/1.1', 'Host: h']), msg(['POST /b HTTP/1.1', 'Content-Length: 3'], 'abc'), msg(['HEAD /c HTTP/1.0'])]);
    const r = drain(REQ, whole, state());
    assert.deepEqual(r.frames.map((f) => `${f.method} ${f.path} ${f.body}`), ['GET /a ', 'POST /b abc', 'HEAD /c ']);
    assert.equal(r.frames[2]!.minorVersion, 0);
  });

  it('knows bodiless responses: HEAD, 204, 304; skips 1xx interim responses', () => {
    const s = state();
    drain(REQ, Buffer.concat([msg(['HEAD /a HTTP/1.1']), msg(['GET /b HTTP/1.1']), msg(['GET /c HTTP/1.1']), msg(['PUT /d HTTP/1.1', 'Content-Length: 1'], 'z')]), s);
    const whole = Buffer.concat([
      msg(['HTTP/1.1 200 OK', 'Content-Length: 1000']), // HEAD: no body despite the length
      msg(['HTTP/1.1 204 No Content']),
      msg(['HTTP/1.1 304 Not Modified', 'Content-Length: 50']),
      msg(['HTTP/1.1 100 Continue']),
      msg(['HTTP/1.1 200 OK', 'Content-Length: 2'], 'ok'),
    ]);
    const r = drain(RESP, whole, s);
    assert.deepEqual(r.frames.map((f) => [f.status, f.bodySize, f.body]), [[200, 0, ''], [204, 0, ''], [304, 0, ''], [200, 2, 'ok']]);
    assert.equal(r.rest, 0);
  });

  it('ends the stream after a 101 Switching Protocols answer to an Upgrade', () => {
    const s = state();
    const req = msg(['GET /ws HTTP/1.1', 'Connection: Upgrade', 'Upgrade: websocket']);
    const r1 = drain(REQ, Buffer.concat([req, Buffer.from([0x81, 0x85, 1, 2, 3, 4, 5])]), s);
    assert.equal(r1.frames.length, 1);
    assert.equal(r1.last, 'needs-more-data');
    const r2 = drain(RESP, Buffer.concat([msg(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket']), Buffer.from([0x81, 0x01, 0x41])]), s);
    assert.equal(r2.frames[0]!.status, 101);
    assert.equal(r2.last, 'eos');
    assert.equal(httpDecoder.parseFrame(MessageType.REQUEST, Buffer.from([0x81]), s).kind, 'eos');
  });

  it('inflates gzip JSON bodies and cuts the text', () => {
    const json = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ i })) });
    const gz = gzipSync(json);
    const s = state(64);
    s.methods.push('GET');
    const r = drain(RESP, msg(['HTTP/1.1 200 OK', 'Content-Type: application/json', 'Content-Encoding: gzip', `Content-Length: ${gz.length}`], gz), s);
    assert.equal(r.frames[0]!.body, json.slice(0, 64));
    assert.equal(r.frames[0]!.bodySize, gz.length);
  });

  it('keeps a gzip body that does not inflate as raw bytes, without throwing', () => {
    const s = state();
    s.methods.push('GET');
    const r = drain(RESP, msg(['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Content-Encoding: gzip', 'Content-Length: 4'], 'nope'), s);
    assert.equal(r.frames[0]!.body, 'nope');
  });

  it('caps headers JSON at the limit and stays valid JSON', () => {
    const lines = ['GET / HTTP/1.1', ...Array.from({ length: 50 }, (_, i) => `X-Header-${i}: ${'v'.repeat(20)}`)];
    const r = drain(REQ, msg(lines), state(512, 300));
    const h = r.frames[0]!.headers;
    assert.ok(h.length <= 300, `${h.length}`);
    const parsed = JSON.parse(h) as Record<string, string>;
    assert.ok(parsed['[truncated]']!.endsWith('fields'));
    assert.equal(parsed['X-Header-0'], 'v'.repeat(20));
  });

  it('writes headers JSON that round-trips quotes, backslashes, tabs and latin1 bytes, and joins repeats', () => {
    const head = Buffer.concat([
      Buffer.from('GET / HTTP/1.1\r\nX-Q: say "hi"\\there\r\nX-T: a\tb\r\nX-L: caf', 'latin1'),
      Buffer.from([0xe9]),
      Buffer.from('\r\n\r\n', 'latin1'),
    ]);
    const f = drain(REQ, head, state()).frames[0]!;
    assert.deepEqual(JSON.parse(f.headers), { 'X-Q': 'say "hi"\\there', 'X-T': 'a\tb', 'X-L': 'caf\u00e9' });
    const rep = drain(REQ, msg(['GET / HTTP/1.1', 'Cookie: a=1', 'Accept: x', 'Cookie: b=2']), state()).frames[0]!;
    assert.deepEqual(JSON.parse(rep.headers), { Cookie: 'a=1, b=2', Accept: 'x' });
  });

  it('reads a response without length to the end of what is buffered (HTTP/1.0 style)', () => {
    const s = state();
    s.methods.push('GET');
    const r = drain(RESP, msg(['HTTP/1.0 200 OK', 'Content-Type: text/html'], '<html></html>'), s);
    assert.equal(r.frames[0]!.body, '<html></html>');
    assert.equal(r.frames[0]!.minorVersion, 0);
  });

  it('says invalid for bytes that are not HTTP, and for malformed heads', () => {
    for (const bad of ['\x16\x03\x01\x02\x00', 'get / HTTP/1.1\r\n', 'GET  HTTP/1.1\r\n\r\n', 'GET / HTTP/2.0\r\n\r\n', 'GET / HTTP/1.1\r\nNo colon\r\n\r\n', 'FOO / HTTP/1.1\r\n']) {
      assert.equal(httpDecoder.parseFrame(REQ, Buffer.from(bad, 'latin1'), state()).kind, 'invalid', JSON.stringify(bad));
    }
    for (const bad of ['HTTP/1.1 2x0 OK\r\n\r\n', 'HTTX', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']) {
      assert.equal(httpDecoder.parseFrame(RESP, Buffer.from(bad, 'latin1'), state()).kind, 'invalid', JSON.stringify(bad));
    }
  });

  it('waits for more data on a partial head', () => {
    for (const part of ['G', 'GET', 'GET /', 'GET / HTTP/1.1\r\nHost: a\r\n']) {
      assert.equal(httpDecoder.parseFrame(REQ, Buffer.from(part), state()).kind, 'needs-more-data', part);
    }
  });
});

/** What a frame says (its text read out of its arena), for comparing frames parsed into different arenas. */
const fields = (f: HttpMessage) => ({
  type: f.type, minor: f.minorVersion, method: f.method, path: f.path, status: f.status, message: f.message,
  headers: f.headers, contentType: f.contentType, body: f.body, bodySize: f.bodySize,
});

describe('@nixie/protocol-http split at every byte boundary', () => {
  const requests = Buffer.concat([
    msg(['POST /submit HTTP/1.1', 'Host: h', 'Content-Type: application/json', 'Content-Length: 13'], '{"k":"value"}'),
    msg(['GET /next HTTP/1.1', 'Host: h']),
  ]);
  const responses = Buffer.concat([
    msg(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'], chunked(['abc', 'defgh'], ['T: 1'])),
    msg(['HTTP/1.1 404 Not Found', 'Content-Length: 9'], 'not found'),
  ]);
  it('gives the same requests wherever the bytes are split', () => {
    const whole = drain(REQ, requests, httpDecoder.createState()).frames.map(fields);
    assert.equal(whole.length, 2);
    for (let at = 0; at <= requests.length; at++) {
      assert.deepEqual(feedSplit(REQ, requests, at, httpDecoder.createState()).map(fields), whole, `split at ${at}`);
    }
  });
  it('gives the same responses wherever the bytes are split', () => {
    const fresh = () => Object.assign(httpDecoder.createState(), { methods: ['POST', 'GET'] });
    const whole = drain(RESP, responses, fresh()).frames.map(fields);
    assert.deepEqual(whole.map((f) => [f.status, f.body]), [[200, 'abcdefgh'], [404, 'not found']]);
    for (let at = 0; at <= responses.length; at++) {
      assert.deepEqual(feedSplit(RESP, responses, at, fresh()).map(fields), whole, `split at ${at}`);
    }
  });
});
