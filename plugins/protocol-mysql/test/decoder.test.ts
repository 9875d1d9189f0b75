import assert from 'node:assert/strict';
import { MessageType } from '@nixie/core';
import { Command, FieldType, mysqlDecoder, RespStatus, type MysqlState } from '../src/index.js';
import { CAPS_41, cat, DEPRECATE_EOF, execute, f64, i64, lenencStr, MORE_RESULTS, p, packet, seqd, str, u16, u32, u8 } from './builders.js';
import { drive, splitAt, stamp } from '@nixie/core/testing';

const REQ = MessageType.REQUEST;
const RESP = MessageType.RESPONSE;
const { OK, ERR, NONE } = RespStatus;

type Row = [number, string, number, string];

function run(reqChunks: Uint8Array[], respChunks: Uint8Array[], state: MysqlState = mysqlDecoder.createState()): Row[] {
  const q = stamp(drive(mysqlDecoder, state, REQ, reqChunks).frames, 1000, 10);
  const r = stamp(drive(mysqlDecoder, state, RESP, respChunks).frames, 1005, 10);
  return mysqlDecoder.stitch(q, r, state).records.map((x) => [Number(x.req_cmd), String(x.req_body), Number(x.resp_status), String(x.resp_body)]);
}

const cmd = (c: number, ...body: Uint8Array[]) => packet(0, p.command(c, ...body));
const query = (sql: string) => cmd(Command.QUERY, str(sql));
const HANDSHAKE_RESP = packet(0, p.greeting(CAPS_41 | DEPRECATE_EOF));
const HANDSHAKE_REQ = (caps: number) => packet(1, p.handshakeResponse(caps));
const AUTH_OK = packet(2, p.ok());

const cases: { name: string; req: Uint8Array; resp: Uint8Array; want: Row[] }[] = [
  {
    name: 'handshake passed over, then a text result set (classic EOF)',
    req: cat(HANDSHAKE_REQ(CAPS_41), query('SELECT a, b FROM t')),
    resp: cat(HANDSHAKE_RESP, AUTH_OK, seqd(1, p.columnCount(2), p.columnDef('a'), p.columnDef('b'), p.eof(), p.textRow('1', 'x'), p.textRow(null, 'y'), p.eof())),
    want: [[Command.QUERY, 'SELECT a, b FROM t', OK, 'Resultset rows = 2']],
  },
  {
    name: 'result set with CLIENT_DEPRECATE_EOF negotiated',
    req: cat(HANDSHAKE_REQ(CAPS_41 | DEPRECATE_EOF), query('SELECT a FROM t')),
    resp: cat(HANDSHAKE_RESP, AUTH_OK, seqd(1, p.columnCount(1), p.columnDef('a'), p.textRow('1'), p.textRow('2'), p.textRow('3'), p.okEof())),
    want: [[Command.QUERY, 'SELECT a FROM t', OK, 'Resultset rows = 3']],
  },
  {
    name: 'empty result set with CLIENT_DEPRECATE_EOF, handshake not seen',
    req: query('SELECT a FROM t WHERE 0'),
    resp: seqd(1, p.columnCount(1), p.columnDef('a'), p.okEof()),
    want: [[Command.QUERY, 'SELECT a FROM t WHERE 0', OK, 'Resultset rows = 0']],
  },
  {
    name: 'empty result set (classic EOF), handshake not seen',
    req: query('SELECT a FROM t WHERE 0'),
    resp: seqd(1, p.columnCount(1), p.columnDef('a'), p.eof(), p.eof()),
    want: [[Command.QUERY, 'SELECT a FROM t WHERE 0', OK, 'Resultset rows = 0']],
  },
  {
    name: 'OK for an INSERT',
    req: query("INSERT INTO t VALUES (1, 'a')"),
    resp: seqd(1, p.ok(1)),
    want: [[Command.QUERY, "INSERT INTO t VALUES (1, 'a')", OK, '']],
  },
  {
    name: 'ERR with its message',
    req: query('SELECT * FROM nope'),
    resp: seqd(1, p.err(1146, "Table 'test.nope' doesn't exist")),
    want: [[Command.QUERY, 'SELECT * FROM nope', ERR, "Table 'test.nope' doesn't exist"]],
  },
  {
    name: 'ERR in the middle of the rows',
    req: query('SELECT slow()'),
    resp: seqd(1, p.columnCount(1), p.columnDef('x'), p.eof(), p.textRow('1'), p.err(1317, 'Query execution was interrupted')),
    want: [[Command.QUERY, 'SELECT slow()', ERR, 'Query execution was interrupted']],
  },
  {
    name: 'COM_INIT_DB, COM_PING and COM_QUIT',
    req: cat(cmd(Command.INIT_DB, str('test')), cmd(Command.PING), cmd(Command.QUIT)),
    resp: cat(seqd(1, p.ok()), seqd(1, p.ok())),
    want: [
      [Command.INIT_DB, 'test', OK, ''],
      [Command.PING, '', OK, ''],
      [Command.QUIT, '', NONE, ''],
    ],
  },
  {
    name: 'multi-statement query (SERVER_MORE_RESULTS_EXISTS)',
    req: query('SELECT 1; UPDATE t SET a = 2'),
    resp: cat(seqd(1, p.columnCount(1), p.columnDef('1'), p.eof(), p.textRow('1'), p.eof(2 | MORE_RESULTS), p.ok(3))),
    want: [[Command.QUERY, 'SELECT 1; UPDATE t SET a = 2', OK, 'Resultset rows = 1']],
  },
  {
    name: 'prepare, execute with typed binary parameters, execute reusing the types, close',
    req: cat(
      cmd(Command.STMT_PREPARE, str('SELECT ?, ?, ?, ?, ?, ?')),
      packet(
        0,
        execute(7, [
          [FieldType.LONGLONG, false, i64(-42n)],
          [FieldType.VAR_STRING, false, lenencStr('héllo')],
          [FieldType.NULL, false, null],
          [FieldType.DOUBLE, false, f64(1.5)],
          [FieldType.DATETIME, false, cat(u8(7), u16(2024), u8(2), u8(29), u8(13), u8(5), u8(9))],
          [FieldType.TINY, true, u8(200)],
        ]),
      ),
      packet(
        0,
        execute(
          7,
          [
            [FieldType.LONGLONG, false, i64(1n)],
            [FieldType.VAR_STRING, false, lenencStr('b')],
            [FieldType.NULL, false, null],
            [FieldType.DOUBLE, false, f64(2)],
            [FieldType.DATETIME, false, cat(u8(4), u16(2020), u8(1), u8(2))],
            [FieldType.TINY, true, u8(1)],
          ],
          false,
        ),
      ),
      cmd(Command.STMT_CLOSE, u32(7)),
    ),
    resp: cat(
      seqd(1, p.prepareOk(7, 1, 6), ...Array.from({ length: 6 }, () => p.columnDef('?')), p.eof(), p.columnDef('x'), p.eof()),
      seqd(1, p.columnCount(1), p.columnDef('x'), p.eof(), cat(u8(0), u8(0), lenencStr('r')), p.eof()),
      seqd(1, p.columnCount(1), p.columnDef('x'), p.eof(), p.eof()),
    ),
    want: [
      [Command.STMT_PREPARE, 'SELECT ?, ?, ?, ?, ?, ?', OK, ''],
      [Command.STMT_EXECUTE, 'SELECT ?, ?, ?, ?, ?, ? params=[-42, héllo, NULL, 1.5, 2024-02-29 13:05:09, 200]', OK, 'Resultset rows = 1'],
      [Command.STMT_EXECUTE, 'SELECT ?, ?, ?, ?, ?, ? params=[1, b, NULL, 2, 2020-01-02 00:00:00, 1]', OK, 'Resultset rows = 0'],
      [Command.STMT_CLOSE, 'SELECT ?, ?, ?, ?, ?, ?', NONE, ''],
    ],
  },
  {
    name: 'prepare without parameters or columns (DDL), then execute',
    req: cat(cmd(Command.STMT_PREPARE, str('CREATE TABLE x (a INT)')), packet(0, execute(3, []))),
    resp: cat(seqd(1, p.prepareOk(3, 0, 0)), seqd(1, p.ok())),
    want: [
      [Command.STMT_PREPARE, 'CREATE TABLE x (a INT)', OK, ''],
      [Command.STMT_EXECUTE, 'CREATE TABLE x (a INT)', OK, ''],
    ],
  },
  {
    name: 'prepare that fails',
    req: cmd(Command.STMT_PREPARE, str('SELEC ?')),
    resp: seqd(1, p.err(1064, 'You have an error in your SQL syntax')),
    want: [[Command.STMT_PREPARE, 'SELEC ?', ERR, 'You have an error in your SQL syntax']],
  },
  {
    name: 'two commands in one chunk',
    req: cat(query('SELECT 1'), query('DO 1')),
    resp: cat(seqd(1, p.columnCount(1), p.columnDef('1'), p.eof(), p.textRow('1'), p.eof()), seqd(1, p.ok())),
    want: [
      [Command.QUERY, 'SELECT 1', OK, 'Resultset rows = 1'],
      [Command.QUERY, 'DO 1', OK, ''],
    ],
  },
];

describe('mysql decoder', () => {
  for (const c of cases) {
    it(`records ${c.name}`, () => {
      assert.deepEqual(run([c.req], [c.resp]), c.want);
    });
    it(`records ${c.name}, split at every byte boundary`, () => {
      for (let k = 1; k < c.req.length; k++) assert.deepEqual(run(splitAt(c.req, k), [c.resp]), c.want, `request split at ${k}`);
      for (let k = 1; k < c.resp.length; k++) assert.deepEqual(run([c.req], splitAt(c.resp, k)), c.want, `response split at ${k}`);
    });
  }

  it('reads a header before its body: needs more data until header + payload are there', () => {
    const b = query('SELECT 1');
    const state = mysqlDecoder.createState();
    for (let k = 0; k < b.length; k++) assert.equal(mysqlDecoder.parseFrame(REQ, b.subarray(0, k), state).kind, 'needs-more-data', `at ${k}`);
    assert.equal(mysqlDecoder.parseFrame(REQ, b, state).kind, 'success');
  });

  it('waits for the end of a result set before recording', () => {
    const state = mysqlDecoder.createState();
    const q = drive(mysqlDecoder, state, REQ, [query('SELECT 1')]).frames;
    const r = drive(mysqlDecoder, state, RESP, [seqd(1, p.columnCount(1), p.columnDef('1'), p.eof(), p.textRow('1'))]).frames;
    assert.equal(mysqlDecoder.stitch(q, r, state).records.length, 0);
    r.push(...drive(mysqlDecoder, state, RESP, [packet(5, p.eof())]).frames);
    assert.equal(mysqlDecoder.stitch(q, r, state).records.length, 1);
    assert.equal(q.length + r.length, 0);
  });

  it('cuts a long statement at the body limit', () => {
    const state = mysqlDecoder.createState({ bodyLimitBytes: 8, headersLimitBytes: 8192 });
    const r = mysqlDecoder.parseFrame(REQ, query('SELECT 1234567890'), state);
    assert.ok(r.kind === 'success');
    assert.equal(r.frame.text, 'SELECT 1... [TRUNCATED]');
  });

  it('calls an unknown command byte invalid and resyncs at the next command', () => {
    const d = drive(mysqlDecoder, mysqlDecoder.createState(), REQ, [cat(packet(0, u8(0x99), str('zz')), query('SELECT 2'))]);
    assert.equal(d.invalid, 1);
    assert.deepEqual(d.frames.map((f) => f.text), ['SELECT 2']);
  });

  it('regression: an execute of a statement prepared before tracing began shows its id', () => {
    assert.deepEqual(run([packet(0, execute(99, []))], [seqd(1, p.ok())]), [[Command.STMT_EXECUTE, 'stmt_id=99', OK, '']]);
  });

  it('drops reply packets older than the oldest command', () => {
    const state = mysqlDecoder.createState();
    const q = drive(mysqlDecoder, state, REQ, [query('DO 2')]).frames;
    const r = drive(mysqlDecoder, state, RESP, [cat(seqd(1, p.ok()), seqd(1, p.ok(5)))]).frames;
    q[0]!.startNs = 100;
    r[0]!.endNs = 50;
    r[1]!.endNs = 150;
    const out = mysqlDecoder.stitch(q, r, state);
    assert.equal(out.errors, 1);
    assert.equal(out.records.length, 1);
  });

  it('learns the server capabilities from the greeting', () => {
    const state = mysqlDecoder.createState();
    drive(mysqlDecoder, state, RESP, [HANDSHAKE_RESP]);
    drive(mysqlDecoder, state, REQ, [HANDSHAKE_REQ(CAPS_41 | DEPRECATE_EOF)]);
    assert.ok(state.serverCaps & DEPRECATE_EOF);
    assert.ok(state.clientCaps & DEPRECATE_EOF);
  });
});

describe('mysql decoder: regressions', () => {
  it('regression: execute parameters survive the agent reusing its stream buffer', () => {
    const state = mysqlDecoder.createState();
    const q = drive(mysqlDecoder, state, REQ, [cmd(Command.STMT_PREPARE, str('SELECT ?'))]).frames;
    const buf = packet(0, execute(1, [[FieldType.LONGLONG, false, i64(5n)]]));
    const r = mysqlDecoder.parseFrame(REQ, buf, state);
    assert.ok(r.kind === 'success');
    buf.fill(0xee);
    q.push(r.frame);
    const resp = drive(mysqlDecoder, state, RESP, [seqd(1, p.prepareOk(1, 0, 1), p.columnDef('?'), p.eof()), seqd(1, p.ok())]).frames;
    const out = mysqlDecoder.stitch(q, resp, state);
    assert.equal(out.records[1]!.req_body, 'SELECT ? params=[5]');
  });

  it('regression: a column count with MariaDB\'s metadata-follows byte (mariadb CLI)', () => {
    const rows = run([query('SELECT 42')], [seqd(1, cat(u8(1), u8(1)), p.columnDef('42'), p.eof(), p.textRow('42'), p.eof())]);
    assert.deepEqual(rows, [[Command.QUERY, 'SELECT 42', OK, 'Resultset rows = 1']]);
  });

  it('regression: a column count whose metadata the client cached has no column definitions', () => {
    const rows = run([query('SELECT 42')], [seqd(1, cat(u8(1), u8(0)), p.textRow('42'), p.okEof())]);
    assert.deepEqual(rows, [[Command.QUERY, 'SELECT 42', OK, 'Resultset rows = 1']]);
  });
});
