import assert from 'node:assert/strict';
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { byteHeap, createLogger, HTTP_EVENTS, PluginHost, type RowWriter } from '@nixie/core';
import plugin, { httpDecoder } from '../src/index.js';
import { HttpMessage } from '../src/types.js';
import { msg, REQ, RESP } from './helpers.js';

const frame = (over: Partial<Parameters<typeof HttpMessage.of>[0]>): HttpMessage => HttpMessage.of({ type: 0, ...over });

describe('@nixie/protocol-http decoder', () => {
  it('registers the http decoder through registerDecoders', async () => {
    const host = new PluginHost({ log: createLogger('silent') });
    host.register(plugin);
    await host.boot();
    assert.equal(host.decoders.get('http'), httpDecoder);
  });

  it('finds frame boundaries at line starts only', () => {
    const b = Buffer.from('junk GET x\r\nPOST /a HTTP/1.1\r\n');
    assert.equal(httpDecoder.findFrameBoundary(REQ, b, 0), 12);
    assert.equal(httpDecoder.findFrameBoundary(REQ, Buffer.from('GET / HTTP/1.1'), 0), 0);
    const r = Buffer.from('xxHTTP/1.1 200\r\nHTTP/1.1 200 OK\r\n');
    assert.equal(httpDecoder.findFrameBoundary(RESP, r, 0), 16);
    assert.equal(httpDecoder.findFrameBoundary(RESP, r, 2), 2);
    assert.equal(httpDecoder.findFrameBoundary(RESP, Buffer.from('nothing'), 0), -1);
  });

  it('stitches in order, with latency from the request start to the response end', () => {
    const reqs = [frame({ startNs: 100, endNs: 110, path: '/a' }), frame({ startNs: 200, endNs: 210, path: '/b' })];
    const resps = [frame({ type: 1, status: 200, startNs: 150, endNs: 160 })];
    const out = httpDecoder.stitch(reqs, resps, httpDecoder.createState());
    assert.equal(out.records.length, 1);
    assert.equal(out.records[0]!.req_path, '/a');
    assert.equal(out.records[0]!.latency, 60);
    assert.equal(out.records[0]!.time_, 160);
    assert.equal(reqs.length, 1, 'the unanswered request waits');
    assert.equal(resps.length, 0);
  });

  it('drops a response that ended before the oldest request began', () => {
    const reqs = [frame({ startNs: 500, endNs: 510 })];
    const resps = [frame({ type: 1, status: 200, startNs: 100, endNs: 120 }), frame({ type: 1, status: 201, startNs: 600, endNs: 610 })];
    const out = httpDecoder.stitch(reqs, resps, httpDecoder.createState());
    assert.equal(out.errors, 1);
    assert.deepEqual(out.records.map((r) => r.resp_status), [201]);
  });

  for (const withBytes3 of [false, true]) {
    it(`stitchInto writes stitch's rows, to a RowWriter ${withBytes3 ? 'with' : 'without'} bytes3`, () => {
      const pairs = (): [HttpMessage[], HttpMessage[]] => [
        [
          frame({ method: 'POST', path: '/orders?x=1', headers: '{"host":"a"}', body: '{"n":1}', contentType: 1, startNs: 100 }),
          frame({ method: 'GET', path: '/', headers: '{}', body: '', startNs: 300 }),
        ],
        [
          frame({ type: 1, status: 201, message: 'Created', headers: '{"x":"é"}', body: 'ok', bodySize: 9, endNs: 150 }),
          frame({ type: 1, minorVersion: 0, status: 404, message: '', headers: '{"y":"z"}', body: 'nope', endNs: 320 }),
        ],
      ];
      const want = httpDecoder.stitch(...pairs(), httpDecoder.createState()).records;
      const rows: Record<string, unknown>[] = [];
      let row: Record<string, unknown> = {};
      const name = (c: number): string => HTTP_EVENTS.columns[c]!.name;
      const text = (src: Uint8Array, from: number, to: number): string => Buffer.from(src.subarray(from, to)).toString('utf8');
      const out: RowWriter = {
        num: (c, v) => void (row[name(c)] = v),
        str: (c, v) => void (row[name(c)] = v),
        bytes: (c, src, from, to) => void (row[name(c)] = text(src, from, to)),
        commit: () => {
          rows.push(row);
          row = {};
        },
      };
      if (withBytes3) {
        out.bytes3 = (c0, c1, c2, src, a, b, c, d) => {
          row[name(c0)] = text(src, a, b);
          row[name(c1)] = text(src, b, c);
          row[name(c2)] = text(src, c, d);
        };
      }
      const [reqs, resps] = pairs();
      assert.deepEqual(httpDecoder.stitchInto!(reqs, resps, httpDecoder.createState(), out), { rows: 2, errors: 0 });
      assert.deepEqual(rows, want);
    });
  }

  it('never throws on arbitrary bytes, whatever the direction and state', () => {
    const valid = [msg(['GET / HTTP/1.1', 'Host: x']), msg(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n')];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(valid.length - 1), fc.nat(400), fc.boolean(), (junk, which, cut, asResp) => {
        const base = valid[which]!;
        const bytes = Buffer.concat([base.subarray(0, cut % (base.length + 1)), junk]);
        const s = httpDecoder.createState({ bodyLimitBytes: 16, headersLimitBytes: 64 });
        for (const type of asResp ? [RESP, REQ] : [REQ, RESP]) {
          let off = 0;
          for (let i = 0; i < 50 && off <= bytes.length; i++) {
            const r = httpDecoder.parseFrame(type, bytes.subarray(off), s);
            if (r.kind === 'success' || r.kind === 'ignored') {
              assert.ok(r.consumed > 0 && off + r.consumed <= bytes.length);
              off += r.consumed;
            } else if (r.kind === 'invalid') {
              const next = httpDecoder.findFrameBoundary(type, bytes, off + 1);
              if (next < 0) break;
              off = next;
            } else break;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('@nixie/protocol-http decoder state and the byte heap', () => {
  it("gives a state's text arenas back to the byte heap once the state is gone", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = byteHeap();
    const settle = async () => {
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await settle();
    const before = heap.stats().inUse;
    // Up to 256 states released by other tests may be reused (their arenas are already counted): make more.
    (() => {
      for (let i = 0; i < 600; i++) {
        const s = httpDecoder.createState();
        httpDecoder.parseFrame(REQ, msg(['GET /x HTTP/1.1', `X-Big: ${'v'.repeat(6000)}`]), s);
      }
    })();
    assert.ok(heap.stats().inUse >= before + (600 - 256) * 2 * 4096, 'the states took arenas from the heap');
    await settle();
    assert.ok(heap.stats().inUse <= before + 64 * 1024, `${heap.stats().inUse - before} bytes still in use`);
  });

  it('a released state comes back from createState as new, once, with the limits asked for', () => {
    const limits = { bodyLimitBytes: 4, headersLimitBytes: 8192 };
    const used = httpDecoder.createState();
    // Left mid-way: a HEAD waiting for its answer, an Upgrade pending, text in both arenas.
    httpDecoder.parseFrame(REQ, msg(['HEAD /h HTTP/1.1', 'Upgrade: websocket', 'Connection: Upgrade']), used);
    assert.ok(used.upgradePending && used.methods.length === 1 && used.requestText.at > 0);
    httpDecoder.releaseState!(used);
    httpDecoder.releaseState!(used);
    const a = httpDecoder.createState(limits);
    const b = httpDecoder.createState(limits);
    assert.notEqual(a, b, 'released twice, handed out once');
    assert.equal(a, used, 'the last released is the first reused');
    for (const s of [a, b]) {
      assert.equal(s.limits, limits);
      assert.deepEqual(s.methods, []);
      assert.equal(s.upgradePending, false);
      assert.equal(s.upgraded, false);
      assert.equal(s.requestText.at, 0);
      assert.equal(s.responseText.at, 0);
    }
    // A request parses (no Upgrade pending), and its response has a body (no HEAD remembered), cut at the limit.
    const req = httpDecoder.parseFrame(REQ, msg(['GET /g HTTP/1.1']), a);
    assert.equal(req.kind, 'success');
    const r = httpDecoder.parseFrame(RESP, msg(['HTTP/1.1 200 OK', 'Content-Length: 6'], 'abcdef'), a);
    assert.equal(r.kind === 'success' && r.frame.body, 'abcd');
  });
});
