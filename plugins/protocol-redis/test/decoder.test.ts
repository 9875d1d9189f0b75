import assert from 'node:assert/strict';
import { MessageType } from '@nixie/core';
import { redisDecoder, type RedisFrame } from '../src/index.js';
import { bytes, command, resp } from './builders.js';
import { bytewise, concat, drive, splitAt, stamp } from '@nixie/core/testing';

const REQ = MessageType.REQUEST;
const RESP = MessageType.RESPONSE;

function reqs(b: Uint8Array, chunks: Uint8Array[] = [b]): RedisFrame[] {
  return drive(redisDecoder, redisDecoder.createState(), REQ, chunks).frames;
}
function resps(b: Uint8Array, chunks: Uint8Array[] = [b]): RedisFrame[] {
  return drive(redisDecoder, redisDecoder.createState(), RESP, chunks).frames;
}

describe('redis decoder: replies', () => {
  const cases: [string, string, string][] = [
    ['simple string', resp.simple('OK'), 'OK'],
    ['error', resp.error('ERR unknown command'), '-ERR unknown command'],
    ['integer', resp.int(-42), '-42'],
    ['bulk string', resp.bulk('hello world'), 'hello world'],
    ['empty bulk string', resp.bulk(''), ''],
    ['null bulk (RESP2)', resp.nullBulk(), '<NULL>'],
    ['null array (RESP2)', '*-1\r\n', '<NULL>'],
    ['array', resp.array(resp.bulk('a'), resp.int(1), resp.nullBulk()), '["a", 1, <NULL>]'],
    ['nested array', resp.array(resp.array(resp.bulk('x')), resp.simple('y')), '[["x"], "y"]'],
    ['empty array', resp.array(), '[]'],
    ['RESP3 null', resp.null(), '<NULL>'],
    ['RESP3 boolean', resp.bool(true), 'true'],
    ['RESP3 double', resp.double('3.14'), '3.14'],
    ['RESP3 double inf', resp.double('-inf'), '-inf'],
    ['RESP3 big number', resp.big('3492890328409238509324850943850943825024385'), '3492890328409238509324850943850943825024385'],
    ['RESP3 blob error', resp.blobError('SYNTAX invalid syntax'), '-SYNTAX invalid syntax'],
    ['RESP3 verbatim string', resp.verbatim('txt', 'Some string'), 'Some string'],
    ['RESP3 map', resp.map(resp.simple('first'), resp.int(1), resp.bulk('second'), resp.int(2)), '{"first": 1, "second": 2}'],
    ['RESP3 set', resp.set(resp.bulk('a'), resp.bulk('b')), '["a", "b"]'],
    ['RESP3 push', resp.push(resp.bulk('message'), resp.bulk('ch'), resp.bulk('hi')), '["message", "ch", "hi"]'],
    ['RESP3 attribute before the reply', resp.attr([resp.simple('ttl'), resp.int(3)], resp.int(7)), '7'],
    ['UTF-8 text', resp.bulk('héllo ✓'), 'héllo ✓'],
  ];
  for (const [name, wire, text] of cases) {
    it(`renders ${name}`, () => {
      const b = bytes(wire);
      const fs = resps(b);
      assert.equal(fs.length, 1);
      assert.equal(fs[0]!.resp, text);
    });
    it(`parses ${name} split at every byte boundary`, () => {
      const b = bytes(wire);
      for (let k = 1; k < b.length; k++) {
        const fs = resps(b, splitAt(b, k));
        assert.equal(fs.length, 1, `split at ${k}`);
        assert.equal(fs[0]!.resp, text, `split at ${k}`);
      }
      assert.equal(resps(b, bytewise(b))[0]!.resp, text);
    });
  }

  it('cuts a long reply at the body limit and marks it', () => {
    const state = redisDecoder.createState({ bodyLimitBytes: 16, headersLimitBytes: 8192 });
    const r = redisDecoder.parseFrame(RESP, bytes(resp.bulk('x'.repeat(100))), state);
    assert.equal(r.kind, 'success');
    assert.equal(r.kind === 'success' && r.frame.resp, 'x'.repeat(16) + '... [TRUNCATED]');
  });

  it('reads two replies in one chunk', () => {
    const fs = resps(bytes(resp.simple('OK') + resp.bulk('v')));
    assert.deepEqual(fs.map((f) => f.resp), ['OK', 'v']);
  });

  const bad: [string, string][] = [
    ['unknown type byte', '?what\r\n'],
    ['bulk length that is not a number', '$abc\r\nxyz\r\n'],
    ['bulk without its CRLF', '$3\r\nabcXY'],
    ['bare LF in a header', '+OK\n'],
    ['bad boolean', '#x\r\n'],
  ];
  for (const [name, wire] of bad) {
    it(`calls ${name} invalid`, () => {
      const r = redisDecoder.parseFrame(RESP, bytes(wire), redisDecoder.createState());
      assert.equal(r.kind, 'invalid');
    });
  }
});

describe('redis decoder: commands', () => {
  const cases: [string, Uint8Array, string, string][] = [
    ['GET', command('get', 'k'), 'GET', '["k"]'],
    ['SET with value', command('SET', 'k', 'v a l'), 'SET', '["k","v a l"]'],
    ['CONFIG GET (two words)', command('config', 'get', 'maxmemory'), 'CONFIG GET', '["maxmemory"]'],
    ['CLIENT SETNAME (two words)', command('CLIENT', 'SETNAME', 'me'), 'CLIENT SETNAME', '["me"]'],
    ['PING without arguments', command('PING'), 'PING', '[]'],
    ['inline command', bytes('ping hello\r\n'), 'PING', '["hello"]'],
    ['inline command with LF only', bytes('GET  key\n'), 'GET', '["key"]'],
    ['arguments with quotes', command('SET', 'k', 'say "hi"'), 'SET', '["k","say \\"hi\\""]'],
  ];
  for (const [name, b, cmd, args] of cases) {
    it(`parses ${name}`, () => {
      const fs = reqs(b);
      assert.equal(fs.length, 1);
      assert.equal(fs[0]!.cmd, cmd);
      assert.equal(fs[0]!.args, args);
    });
    it(`parses ${name} split at every byte boundary`, () => {
      for (let k = 1; k < b.length; k++) {
        const fs = reqs(b, splitAt(b, k));
        assert.equal(fs.length, 1, `split at ${k}`);
        assert.equal(fs[0]!.cmd, cmd);
        assert.equal(fs[0]!.args, args);
      }
    });
  }

  it('keeps args valid JSON when cut at the body limit', () => {
    const state = redisDecoder.createState({ bodyLimitBytes: 20, headersLimitBytes: 8192 });
    const r = redisDecoder.parseFrame(REQ, command('SET', 'key', 'x'.repeat(100), 'y'), state);
    assert.ok(r.kind === 'success');
    const args = JSON.parse(r.frame.args) as string[];
    assert.deepEqual(args, ['key', '... [TRUNCATED]']);
    assert.equal(r.frame.count, 3);
  });

  it('calls a non-bulk array element invalid and resyncs at the next command', () => {
    const b = concat(bytes('*1\r\n:1\r\n'), command('GET', 'a'));
    const d = drive(redisDecoder, redisDecoder.createState(), REQ, [b]);
    assert.equal(d.invalid, 1);
    assert.deepEqual(d.frames.map((f) => f.cmd), ['GET']);
  });
});

describe('redis decoder: stitching', () => {
  function run(reqWire: Uint8Array, respWire: Uint8Array, state = redisDecoder.createState()) {
    const q = stamp(drive(redisDecoder, state, REQ, [reqWire]).frames, 1000, 10);
    const r = stamp(drive(redisDecoder, state, RESP, [respWire]).frames, 1005, 10);
    const out = redisDecoder.stitch(q, r, state);
    return { ...out, q, r, state };
  }

  it('pairs pipelined commands with replies in order, with time_ and latency', () => {
    const { records, q, r } = run(
      concat(command('SET', 'a', '1'), command('GET', 'a'), command('INCR', 'n')),
      bytes(resp.simple('OK') + resp.bulk('1') + resp.int(5)),
    );
    assert.deepEqual(
      records.map((x) => [x.req_cmd, x.req_args, x.resp]),
      [
        ['SET', '["a","1"]', 'OK'],
        ['GET', '["a"]', '1'],
        ['INCR', '["n"]', '5'],
      ],
    );
    assert.equal(records[0]!.time_, 1005);
    assert.equal(records[0]!.latency, 5);
    assert.equal(q.length + r.length, 0);
  });

  it('keeps a command without its reply for the next call', () => {
    const state = redisDecoder.createState();
    const q = drive(redisDecoder, state, REQ, [concat(command('GET', 'a'), command('GET', 'b'))]).frames;
    const r = drive(redisDecoder, state, RESP, [bytes(resp.bulk('1'))]).frames;
    assert.equal(redisDecoder.stitch(q, r, state).records.length, 1);
    assert.equal(q.length, 1);
    r.push(...drive(redisDecoder, state, RESP, [bytes(resp.bulk('2'))]).frames);
    assert.deepEqual(redisDecoder.stitch(q, r, state).records.map((x) => x.resp), ['2']);
  });

  it('records subscribe confirmations on the SUBSCRIBE and messages as PUSH PUB (RESP2)', () => {
    const { records } = run(
      command('SUBSCRIBE', 'a', 'b'),
      bytes(
        resp.array(resp.bulk('subscribe'), resp.bulk('a'), resp.int(1)) +
          resp.array(resp.bulk('subscribe'), resp.bulk('b'), resp.int(2)) +
          resp.array(resp.bulk('message'), resp.bulk('a'), resp.bulk('hello')) +
          resp.array(resp.bulk('pmessage'), resp.bulk('p*'), resp.bulk('pa'), resp.bulk('x')),
      ),
    );
    assert.deepEqual(
      records.map((x) => [x.req_cmd, x.req_args, x.resp, x.latency]),
      [
        ['SUBSCRIBE', '["a","b"]', '["subscribe", "a", 1], ["subscribe", "b", 2]', 5],
        ['PUSH PUB', '[]', '["message", "a", "hello"]', 0],
        ['PUSH PUB', '[]', '["pmessage", "p*", "pa", "x"]', 0],
      ],
    );
  });

  it('treats RESP3 message pushes as PUSH PUB even between replies', () => {
    const { records } = run(
      command('GET', 'k'),
      bytes(resp.push(resp.bulk('message'), resp.bulk('c'), resp.bulk('m')) + resp.bulk('v')),
    );
    assert.deepEqual(records.map((x) => [x.req_cmd, x.resp]), [
      ['PUSH PUB', '["message", "c", "m"]'],
      ['GET', 'v'],
    ]);
  });

  it('names other RESP3 pushes by their kind', () => {
    const { records } = run(new Uint8Array(0), bytes(resp.push(resp.bulk('invalidate'), resp.array(resp.bulk('k')))));
    assert.deepEqual(records.map((x) => x.req_cmd), ['PUSH INVALIDATE']);
  });

  it('regression: an LRANGE reply shaped like a message is a reply when not subscribed', () => {
    const { records } = run(command('LRANGE', 'l', '0', '-1'), bytes(resp.array(resp.bulk('message'), resp.bulk('a'), resp.bulk('b'))));
    assert.deepEqual(records.map((x) => x.req_cmd), ['LRANGE']);
  });

  it('leaves subscribed mode when the unsubscribe count reaches zero', () => {
    const { records, state } = run(
      concat(command('SUBSCRIBE', 'a'), command('UNSUBSCRIBE')),
      bytes(resp.array(resp.bulk('subscribe'), resp.bulk('a'), resp.int(1)) + resp.array(resp.bulk('unsubscribe'), resp.bulk('a'), resp.int(0))),
    );
    assert.deepEqual(records.map((x) => x.req_cmd), ['SUBSCRIBE', 'UNSUBSCRIBE']);
    assert.equal(state.subscribed, false);
  });

  it('waits for every subscribe confirmation before recording', () => {
    const state = redisDecoder.createState();
    const q = drive(redisDecoder, state, REQ, [command('SUBSCRIBE', 'a', 'b')]).frames;
    const r = drive(redisDecoder, state, RESP, [bytes(resp.array(resp.bulk('subscribe'), resp.bulk('a'), resp.int(1)))]).frames;
    assert.equal(redisDecoder.stitch(q, r, state).records.length, 0);
    r.push(...drive(redisDecoder, state, RESP, [bytes(resp.array(resp.bulk('subscribe'), resp.bulk('b'), resp.int(2)))]).frames);
    assert.equal(redisDecoder.stitch(q, r, state).records.length, 1);
  });

  it('drops a reply older than the oldest command (its command was not seen)', () => {
    const state = redisDecoder.createState();
    const q = drive(redisDecoder, state, REQ, [command('GET', 'b')]).frames;
    const r = drive(redisDecoder, state, RESP, [bytes(resp.bulk('old') + resp.bulk('new'))]).frames;
    q[0]!.startNs = 100;
    r[0]!.startNs = 50;
    r[1]!.startNs = 150;
    const out = redisDecoder.stitch(q, r, state);
    assert.equal(out.errors, 1);
    assert.deepEqual(out.records.map((x) => x.resp), ['new']);
  });
});
