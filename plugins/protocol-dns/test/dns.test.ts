import assert from 'node:assert/strict';
import * as packet from 'dns-packet';
import { MessageType } from '@nixie/core';
import { dnsDecoder, type DnsFrame } from '../src/decoder.js';
import { ipv6, parseMessage } from '../src/message.js';
import { drive, splits } from '@nixie/core/testing';

const REQ = MessageType.REQUEST;
const RESP = MessageType.RESPONSE;

function query(id: number, name: string, type: packet.RecordType = 'A'): Uint8Array {
  return packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name }] });
}

function answer(id: number, name: string, answers: packet.Answer[], rcode = 0): Uint8Array {
  return packet.encode({
    type: 'response',
    id,
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | rcode,
    questions: [{ type: 'A', name }],
    answers,
  });
}

/** TCP framing: a 2-byte length before each message. */
function tcp(...msgs: Uint8Array[]): Uint8Array {
  return Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m])));
}

function datagrams(type: MessageType, msgs: Uint8Array[]): DnsFrame[] {
  const state = dnsDecoder.createState(undefined, 'datagram');
  const out: DnsFrame[] = [];
  for (const m of msgs) {
    const r = dnsDecoder.parseFrame(type, m, state);
    if (r.kind === 'success') out.push(r.frame);
  }
  return out;
}

const q = query(0x1234, 'example.test');
const a = answer(0x1234, 'example.test', [
  { type: 'CNAME', name: 'example.test', data: 'www.example.test' },
  { type: 'A', name: 'www.example.test', ttl: 60, data: '10.1.2.3' },
  { type: 'AAAA', name: 'www.example.test', ttl: 60, data: '2001:db8::1' },
]);

describe('dns decoder', () => {
  it("renders a query and its answers in Pixie's JSON form", () => {
    const state = dnsDecoder.createState(undefined, 'datagram');
    const reqs = datagrams(REQ, [q]);
    const resps = datagrams(RESP, [a]);
    const { records, errors } = dnsDecoder.stitch(reqs, resps, state);
    assert.equal(errors, 0);
    assert.equal(records.length, 1);
    const r = records[0]!;
    assert.deepEqual(JSON.parse(String(r.req_header)), {
      txid: 0x1234, qr: 0, opcode: 0, aa: 0, tc: 0, rd: 1, ra: 0, ad: 0, cd: 0, rcode: 0,
      num_queries: 1, num_answers: 0, num_auth: 0, num_addl: 0,
    });
    assert.equal(r.req_body, '{"queries":[{"name":"example.test","type":"A"}]}');
    assert.equal((JSON.parse(String(r.resp_header)) as { qr: number; ra: number }).qr, 1);
    assert.deepEqual(JSON.parse(String(r.resp_body)), {
      answers: [
        { name: 'example.test', type: 'CNAME', cname: 'www.example.test' },
        { name: 'www.example.test', type: 'A', addr: '10.1.2.3' },
        { name: 'www.example.test', type: 'AAAA', addr: '2001:db8::1' },
      ],
    });
  });

  it('reads TCP messages split at every boundary, two in one chunk', () => {
    const q2 = query(7, 'two.test', 'AAAA');
    const stream = tcp(q, q2);
    for (const chunks of splits(stream)) {
      const state = dnsDecoder.createState(undefined, 'stream');
      const { frames } = drive(dnsDecoder, state, REQ, chunks);
      assert.deepEqual(frames.map((f) => f.txid), [0x1234, 7]);
      assert.equal(frames[1]!.body, '{"queries":[{"name":"two.test","type":"AAAA"}]}');
    }
  });

  it('reads bare UDP payloads handed over as a stream (agent without the transport), split anywhere', () => {
    const withOpt = packet.encode({
      type: 'query',
      id: 77,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'opt.test' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    });
    const stream = Buffer.concat([withOpt, q]);
    for (const chunks of splits(stream)) {
      const state = dnsDecoder.createState();
      const { frames } = drive(dnsDecoder, state, REQ, chunks);
      assert.deepEqual(frames.map((f) => f.txid), [77, 0x1234]);
      assert.equal(state.framing[REQ], 'udp-stream');
    }
    const resp = drive(dnsDecoder, dnsDecoder.createState(), RESP, [a]).frames;
    assert.equal(resp.length, 1);
  });

  it('matches responses to requests by transaction id, in any order', () => {
    const state = dnsDecoder.createState(undefined, 'datagram');
    const reqs = datagrams(REQ, [query(1, 'a.test'), query(2, 'b.test'), query(3, 'c.test')]);
    const resps = datagrams(RESP, [answer(3, 'c.test', []), answer(1, 'a.test', [])]);
    const { records } = dnsDecoder.stitch(reqs, resps, state);
    assert.deepEqual(records.map((r) => (JSON.parse(String(r.req_body)) as { queries: { name: string }[] }).queries[0]!.name), ['c.test', 'a.test']);
    assert.deepEqual(reqs.map((f) => f.txid), [2]);
  });

  it('keeps an early response one round for its request, then drops it as an error', () => {
    const state = dnsDecoder.createState(undefined, 'datagram');
    const reqs: DnsFrame[] = [];
    const resps = datagrams(RESP, [answer(9, 'late.test', [])]);
    assert.equal(dnsDecoder.stitch(reqs, resps, state).errors, 0);
    assert.equal(resps.length, 1);
    reqs.push(...datagrams(REQ, [query(9, 'late.test')]));
    assert.equal(dnsDecoder.stitch(reqs, resps, state).records.length, 1);
    const orphan = datagrams(RESP, [answer(10, 'x.test', [])]);
    dnsDecoder.stitch([], orphan, state);
    assert.equal(dnsDecoder.stitch([], orphan, state).errors, 1);
    assert.equal(orphan.length, 0);
  });

  it('shows the rcode of an NXDOMAIN answer', () => {
    const [f] = datagrams(RESP, [answer(5, 'nope.test', [], 3)]);
    assert.equal((JSON.parse(f!.header) as { rcode: number }).rcode, 3);
    assert.equal(f!.body, '{"answers":[]}');
  });

  it('rejects a message whose QR bit does not fit the direction', () => {
    const state = dnsDecoder.createState(undefined, 'datagram');
    assert.equal(dnsDecoder.parseFrame(RESP, q, state).kind, 'invalid');
    assert.equal(dnsDecoder.parseFrame(REQ, a, state).kind, 'invalid');
  });

  it('finds the next TCP message after junk', () => {
    const junk = Uint8Array.from([0xff, 0xff, 0xff, 0x01, 0x02]);
    const stream = Buffer.concat([junk, tcp(q)]);
    assert.equal(dnsDecoder.findFrameBoundary(REQ, stream, 0), junk.length);
    const { frames } = drive(dnsDecoder, dnsDecoder.createState(undefined, 'stream'), REQ, [stream]);
    assert.deepEqual(frames.map((f) => f.txid), [0x1234]);
  });

  it('defaults to TCP framing when the agent does not say', () => {
    assert.equal(dnsDecoder.createState().transport, 'stream');
  });
});

/** A query header (id 1, one question) followed by `rest`. */
function raw(...rest: number[]): Uint8Array {
  return Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...rest]);
}

describe('dns names', () => {
  const cases: [string, Uint8Array, string | null][] = [
    ['plain labels', raw(1, 0x61, 2, 0x62, 0x63, 0, 0, 1, 0, 1), 'a.bc'],
    ['the root', raw(0, 0, 2, 0, 1), '.'],
    ['a pointer to itself', raw(0xc0, 12, 0, 1, 0, 1), null],
    ['a pointer forward', raw(0xc0, 20, 0, 1, 0, 1, 0, 0, 1, 0x61, 0), null],
    ['a pointer past the end', raw(0xc0, 0xff), null],
    ['a label running past the end', raw(5, 0x61, 0x62), null],
    ['a reserved label type', raw(0x40, 0, 0, 1, 0, 1), null],
    ['an escaped dot and a control byte', raw(3, 0x61, 0x2e, 0x01, 0, 0, 1, 0, 1), 'a\\.\\001'],
  ];
  for (const [name, bytes, expected] of cases) {
    it(`reads ${name}`, () => {
      const m = parseMessage(bytes, 0, bytes.length);
      if (expected === null) assert.equal(m, null);
      else assert.equal(m?.queries[0]?.name, expected);
    });
  }

  it('follows a chain of backward pointers', () => {
    // Question "a.b" at 12; an answer name "c" + pointer to 12; its CNAME data: pointer to the answer name.
    const msg = Uint8Array.from([
      0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
      1, 0x61, 1, 0x62, 0, 0, 5, 0, 1, // 12: a.b CNAME IN
      1, 0x63, 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 21, // 21: c.a.b CNAME -> c.a.b
    ]);
    const m = parseMessage(msg, 0, msg.length);
    assert.deepEqual(m?.answers, [{ name: 'c.a.b', type: 'CNAME', cname: 'c.a.b' }]);
  });

  it('gives long names up instead of growing without bound', () => {
    const labels: number[] = [];
    for (let i = 0; i < 10; i++) labels.push(63, ...new Array<number>(63).fill(0x61));
    assert.equal(parseMessage(raw(...labels, 0, 0, 1, 0, 1), 0, 12 + labels.length + 5), null);
  });

  it('writes IPv6 addresses in RFC 5952 form', () => {
    const b = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
    assert.equal(ipv6(b('20010db8000000000000000000000001'), 0), '2001:db8::1');
    assert.equal(ipv6(b('00000000000000000000000000000000'), 0), '::');
    assert.equal(ipv6(b('20010db8000100000001000000000001'), 0), '2001:db8:1:0:1::1');
    assert.equal(ipv6(b('fe800000000000000202b3fffe1e8329'), 0), 'fe80::202:b3ff:fe1e:8329');
  });
});
