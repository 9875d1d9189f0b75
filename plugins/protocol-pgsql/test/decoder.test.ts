import assert from 'node:assert/strict';
import { MessageType } from '@nixie/core';
import { pgsqlDecoder, type PgState } from '../src/index.js';
import { be, cat, fe, frame, selectReply, cstring } from './builders.js';
import { drive, splitAt, stamp } from '@nixie/core/testing';

const REQ = MessageType.REQUEST;
const RESP = MessageType.RESPONSE;

type Row = [string, string, string];

function run(reqChunks: Uint8Array[], respChunks: Uint8Array[], state: PgState = pgsqlDecoder.createState()): Row[] {
  const q = stamp(drive(pgsqlDecoder, state, REQ, reqChunks).frames, 1000, 10);
  const r = stamp(drive(pgsqlDecoder, state, RESP, respChunks).frames, 1005, 10);
  return pgsqlDecoder.stitch(q, r, state).records.map((x) => [String(x.req_cmd), String(x.req), String(x.resp)]);
}

const STARTUP_REQ = cat(fe.sslRequest(), fe.startup({ user: 'postgres', database: 'test' }), fe.password('secret'));
const STARTUP_RESP = cat(Uint8Array.of(0x4e), be.authMd5(), be.authOk(), be.parameterStatus('server_version', '16'), be.keyData(), be.ready());

const cases: { name: string; req: Uint8Array; resp: Uint8Array; want: Row[] }[] = [
  {
    name: 'simple query returning rows',
    req: fe.query('SELECT a FROM t'),
    resp: selectReply('SELECT 3', [['1'], ['2'], ['3']]),
    want: [['QUERY', 'SELECT a FROM t', 'SELECT 3']],
  },
  {
    name: 'startup (SSLRequest refused, auth, parameters) passed over',
    req: cat(STARTUP_REQ, fe.query('SELECT 1')),
    resp: cat(STARTUP_RESP, selectReply('SELECT 1', [['1']])),
    want: [['QUERY', 'SELECT 1', 'SELECT 1']],
  },
  {
    name: 'multi-statement simple query',
    req: fe.query('BEGIN; UPDATE t SET a = 1; COMMIT'),
    resp: cat(be.complete('BEGIN'), be.complete('UPDATE 4'), be.complete('COMMIT'), be.ready()),
    want: [['QUERY', 'BEGIN; UPDATE t SET a = 1; COMMIT', 'BEGIN\nUPDATE 4\nCOMMIT']],
  },
  {
    name: 'simple query error',
    req: fe.query('SELECT * FROM nope'),
    resp: cat(be.error('relation "nope" does not exist'), be.ready()),
    want: [['QUERY', 'SELECT * FROM nope', 'ERROR: relation "nope" does not exist']],
  },
  {
    name: 'empty query',
    req: fe.query(''),
    resp: cat(be.emptyQuery(), be.ready()),
    want: [['QUERY', '', 'EMPTY QUERY']],
  },
  {
    name: 'notice before the result',
    req: fe.query('DROP TABLE IF EXISTS x'),
    resp: cat(be.notice('table "x" does not exist, skipping'), be.complete('DROP TABLE'), be.ready()),
    want: [['QUERY', 'DROP TABLE IF EXISTS x', 'DROP TABLE']],
  },
  {
    name: 'extended query with text parameters (unnamed statement)',
    req: cat(fe.parse('', 'SELECT $1::int + $2::int', [23, 23]), fe.bind('', '', ['1', '2']), fe.describe('P', ''), fe.execute(''), fe.sync()),
    resp: cat(be.parseComplete(), be.bindComplete(), be.rowDescription('sum'), be.dataRow('3'), be.complete('SELECT 1'), be.ready()),
    want: [['EXECUTE', 'SELECT $1::int + $2::int params=[1, 2]', 'SELECT 1']],
  },
  {
    name: 'extended query with NULL and binary parameters',
    req: cat(fe.parse('', 'INSERT INTO t VALUES ($1, $2, $3)'), fe.bind('', '', [null, Uint8Array.of(0, 1, 0xff), 'x']), fe.execute(''), fe.sync()),
    resp: cat(be.parseComplete(), be.bindComplete(), be.complete('INSERT 0 1'), be.ready()),
    want: [['EXECUTE', 'INSERT INTO t VALUES ($1, $2, $3) params=[NULL, \\x0001ff, x]', 'INSERT 0 1']],
  },
  {
    name: 'named statement prepared once, executed twice',
    req: cat(
      fe.parse('s1', 'SELECT * FROM t WHERE id = $1'),
      fe.describe('S', 's1'),
      fe.sync(),
      fe.bind('', 's1', ['7']),
      fe.execute(''),
      fe.sync(),
      fe.bind('', 's1', ['8']),
      fe.execute(''),
      fe.sync(),
    ),
    resp: cat(
      be.parseComplete(),
      be.parameterDescription(23),
      be.rowDescription('id'),
      be.ready(),
      be.bindComplete(),
      be.dataRow('7'),
      be.complete('SELECT 1'),
      be.ready(),
      be.bindComplete(),
      be.complete('SELECT 0'),
      be.ready(),
    ),
    want: [
      ['PARSE', 'SELECT * FROM t WHERE id = $1', 'PARSE COMPLETE'],
      ['EXECUTE', 'SELECT * FROM t WHERE id = $1 params=[7]', 'SELECT 1'],
      ['EXECUTE', 'SELECT * FROM t WHERE id = $1 params=[8]', 'SELECT 0'],
    ],
  },
  {
    name: 'error at Parse in an extended batch goes to its Execute',
    req: cat(fe.parse('', 'SELEC 1'), fe.bind('', '', []), fe.execute(''), fe.sync()),
    resp: cat(be.error('syntax error at or near "SELEC"', '42601'), be.ready()),
    want: [['EXECUTE', 'SELEC 1', 'ERROR: syntax error at or near "SELEC"']],
  },
  {
    name: 'error at Execute',
    req: cat(fe.parse('', 'SELECT 1/$1'), fe.bind('', '', ['0']), fe.execute(''), fe.sync()),
    resp: cat(be.parseComplete(), be.bindComplete(), be.error('division by zero', '22012'), be.ready()),
    want: [['EXECUTE', 'SELECT 1/$1 params=[0]', 'ERROR: division by zero']],
  },
  {
    name: 'two executes in one batch (JDBC-style)',
    req: cat(fe.parse('', 'INSERT INTO t VALUES ($1)'), fe.bind('', '', ['1']), fe.execute(''), fe.bind('', '', ['2']), fe.execute(''), fe.sync()),
    resp: cat(be.parseComplete(), be.bindComplete(), be.complete('INSERT 0 1'), be.bindComplete(), be.complete('INSERT 0 1'), be.ready()),
    want: [
      ['EXECUTE', 'INSERT INTO t VALUES ($1) params=[1]', 'INSERT 0 1'],
      ['EXECUTE', 'INSERT INTO t VALUES ($1) params=[2]', 'INSERT 0 1'],
    ],
  },
  {
    name: 'portal suspended at its row limit',
    req: cat(fe.parse('', 'SELECT g FROM generate_series(1,10) g'), fe.bind('c', '', []), fe.execute('c', 2), fe.sync()),
    resp: cat(be.parseComplete(), be.bindComplete(), be.dataRow('1'), be.dataRow('2'), be.portalSuspended(), be.ready('T')),
    want: [['EXECUTE', 'SELECT g FROM generate_series(1,10) g', 'PORTAL SUSPENDED']],
  },
  {
    name: 'COPY FROM STDIN data passed over',
    req: cat(fe.query('COPY t FROM STDIN'), frame('d', new TextEncoder().encode('1\n2\n')), frame('c')),
    resp: cat(frame('G', Uint8Array.of(0), new Uint8Array([0, 1, 0, 0])), be.complete('COPY 2'), be.ready()),
    want: [['QUERY', 'COPY t FROM STDIN', 'COPY 2']],
  },
  {
    name: 'two queries in one chunk',
    req: cat(fe.query('SELECT 1'), fe.query('SELECT 2')),
    resp: cat(selectReply('SELECT 1', [['1']]), selectReply('SELECT 1', [['2']])),
    want: [
      ['QUERY', 'SELECT 1', 'SELECT 1'],
      ['QUERY', 'SELECT 2', 'SELECT 1'],
    ],
  },
];

describe('pgsql decoder', () => {
  for (const c of cases) {
    it(`records ${c.name}`, () => {
      assert.deepEqual(run([c.req], [c.resp]), c.want);
    });
    it(`records ${c.name}, split at every byte boundary`, () => {
      for (let k = 1; k < c.req.length; k++) assert.deepEqual(run(splitAt(c.req, k), [c.resp]), c.want, `request split at ${k}`);
      for (let k = 1; k < c.resp.length; k++) assert.deepEqual(run([c.req], splitAt(c.resp, k)), c.want, `response split at ${k}`);
    });
  }

  it('waits for ReadyForQuery before recording', () => {
    const state = pgsqlDecoder.createState();
    const q = drive(pgsqlDecoder, state, REQ, [fe.query('SELECT 1')]).frames;
    const r = drive(pgsqlDecoder, state, RESP, [be.complete('SELECT 1')]).frames;
    assert.equal(pgsqlDecoder.stitch(q, r, state).records.length, 0);
    r.push(...drive(pgsqlDecoder, state, RESP, [be.ready()]).frames);
    assert.equal(pgsqlDecoder.stitch(q, r, state).records.length, 1);
    assert.equal(q.length + r.length, 0);
  });

  it('cuts a long query at the body limit', () => {
    const state = pgsqlDecoder.createState({ bodyLimitBytes: 10, headersLimitBytes: 8192 });
    const r = pgsqlDecoder.parseFrame(REQ, fe.query('SELECT 123456789012345'), state);
    assert.ok(r.kind === 'success');
    assert.equal(r.frame.text, 'SELECT 123... [TRUNCATED]');
  });

  it('calls an unknown type byte invalid and resyncs at the next message', () => {
    const d = drive(pgsqlDecoder, pgsqlDecoder.createState(), REQ, [cat(Uint8Array.of(0x7a, 1, 2), fe.query('SELECT 1'))]);
    assert.ok(d.invalid >= 1);
    assert.deepEqual(d.frames.map((f) => f.text), ['SELECT 1']);
  });

  it('regression: a one-byte SSL refusal is passed over even when the SSLRequest was not seen', () => {
    const want: Row[] = [['QUERY', 'SELECT 1', 'SELECT 1']];
    assert.deepEqual(run([fe.query('SELECT 1')], [cat(Uint8Array.of(0x4e), be.authOk(), be.ready(), selectReply('SELECT 1', [['1']]))]), want);
  });

  it('drops responses that ended before the oldest request began', () => {
    const state = pgsqlDecoder.createState();
    const q = drive(pgsqlDecoder, state, REQ, [fe.query('SELECT 2')]).frames;
    const r = drive(pgsqlDecoder, state, RESP, [cat(be.complete('OLD'), be.ready(), be.complete('SELECT 1'), be.ready())]).frames;
    q[0]!.startNs = 100;
    stamp(r, 10, 10);
    r[2]!.endNs = 150;
    r[3]!.endNs = 160;
    const out = pgsqlDecoder.stitch(q, r, state);
    assert.equal(out.errors, 2);
    assert.deepEqual(out.records.map((x) => x.resp), ['SELECT 1']);
  });

  it('forgets closed statements and keeps at most MAX_STATEMENTS', () => {
    const state = pgsqlDecoder.createState();
    const msgs = [];
    for (let i = 0; i < 300; i++) msgs.push(fe.parse(`s${i}`, `SELECT ${i}`));
    msgs.push(fe.close('S', 's299'));
    drive(pgsqlDecoder, state, REQ, [cat(...msgs)]);
    assert.equal(state.statements.size, 255);
    assert.equal(state.statements.has('s0'), false);
    assert.equal(state.statements.has('s299'), false);
  });

  it('reads a cstring without its NUL as invalid', () => {
    const r = pgsqlDecoder.parseFrame(REQ, frame('Q', new TextEncoder().encode('SELECT')), pgsqlDecoder.createState());
    assert.equal(r.kind, 'invalid');
    assert.equal(cstring('').length, 1);
  });
});
