import type { DecodedRecord, StitchResult } from '@nixie/core';
import { Command, Marker, MAX_PACKET_PAYLOAD, RespStatus } from './constants.js';
import { deprecateEof, moreResults, rememberStatement, type MysqlFrame, type MysqlState } from './parse.js';
import { renderExecuteParams } from './params.js';

/** Frames kept waiting for their partner; beyond this the oldest are dropped (counted as errors). */
export const MAX_PENDING = 4096;

/** A matched reply: packets [start, end) of the responses, with its status and body. */
interface Reply {
  end: number;
  status: number;
  body: string;
}

const isErr = (p: MysqlFrame) => p.first === Marker.ERR;
/** The end of a result set: an EOF packet, or the OK packet that replaces it under CLIENT_DEPRECATE_EOF. */
const isTerminator = (p: MysqlFrame) => p.first === Marker.EOF && p.length < MAX_PACKET_PAYLOAD;
/** The EOF that closes column definitions without CLIENT_DEPRECATE_EOF (exactly 5 bytes). */
const isShortEof = (p: MysqlFrame) => p.first === Marker.EOF && p.length < 7;

/**
 * Pairs commands with replies. A reply starts at the next packet with sequence id 1; its shape
 * depends on the command: one OK/ERR packet, a result set (column count, column definitions,
 * [EOF], rows, EOF/OK — possibly several with SERVER_MORE_RESULTS_EXISTS), or a prepare reply.
 * COM_STMT_CLOSE and COM_QUIT get no reply and are recorded with resp_status NONE.
 */
export function stitchMysql(requests: MysqlFrame[], responses: MysqlFrame[], state: MysqlState): StitchResult {
  const records: DecodedRecord[] = [];
  let errors = 0;
  let qi = 0;
  let si = 0;
  while (qi < requests.length) {
    const q = requests[qi]!;
    if (q.first === Command.STMT_CLOSE || q.first === Command.QUIT || q.first === Command.STMT_SEND_LONG_DATA) {
      if (q.first !== Command.STMT_SEND_LONG_DATA) records.push(record(q, null, RespStatus.NONE, '', requestBody(q, state)));
      if (q.first === Command.STMT_CLOSE) state.statements.delete(q.stmtId);
      qi++;
      continue;
    }
    // Skip packets that answer nothing we saw: handshake leftovers, or replies older than this command.
    while (si < responses.length) {
      const p = responses[si]!;
      if (p.seq === 1 && !(q.startNs > 0 && p.endNs > 0 && p.endNs < q.startNs)) break;
      errors++;
      si++;
    }
    if (si >= responses.length) break;
    const reply = matchReply(q, responses, si, state);
    if (!reply) break;
    records.push(record(q, responses[reply.end - 1]!, reply.status, reply.body, requestBody(q, state)));
    if (q.first === Command.STMT_PREPARE && reply.status === RespStatus.OK) {
      const p = responses[si]!;
      rememberStatement(state, p.stmtId, { query: q.text, numParams: p.params, types: null });
    }
    qi++;
    si = reply.end;
  }
  requests.splice(0, qi);
  responses.splice(0, si);
  return { records, errors: errors + trim(requests) + trim(responses) };
}

function requestBody(q: MysqlFrame, state: MysqlState): string {
  if (q.first === Command.STMT_EXECUTE) {
    const stmt = state.statements.get(q.stmtId);
    if (!stmt) return `stmt_id=${q.stmtId}`;
    const params = q.payload ? renderExecuteParams(q.payload, stmt, state.reader, state.sink, state.limits.bodyLimitBytes) : '';
    return params ? `${stmt.query} params=${params}` : stmt.query;
  }
  if (q.first === Command.STMT_CLOSE || q.first === Command.STMT_RESET || q.first === Command.STMT_FETCH) {
    const stmt = state.statements.get(q.stmtId);
    return stmt ? stmt.query : `stmt_id=${q.stmtId}`;
  }
  return q.text;
}

function record(q: MysqlFrame, last: MysqlFrame | null, status: number, body: string, reqBody: string): DecodedRecord {
  // Like http_events: time_ is when the reply ended, latency runs from the command's first byte.
  const end = last ? last.endNs : q.endNs;
  return {
    time_: end,
    latency: end > q.startNs ? end - q.startNs : 0,
    req_cmd: q.first,
    req_body: reqBody,
    resp_status: status,
    resp_body: body,
  };
}

/** The reply to q starting at responses[si], or null while it is incomplete. */
function matchReply(q: MysqlFrame, rs: MysqlFrame[], si: number, state: MysqlState): Reply | null {
  const p = rs[si]!;
  if (isErr(p)) return { end: si + 1, status: RespStatus.ERR, body: p.text };
  switch (q.first) {
    case Command.QUERY:
    case Command.STMT_EXECUTE:
    case Command.STMT_FETCH:
    case Command.PROCESS_INFO:
      return matchResults(rs, si);
    case Command.STMT_PREPARE:
      return matchPrepare(rs, si, state);
    case Command.FIELD_LIST:
      return matchUntilEof(rs, si);
    case Command.CHANGE_USER:
      // Authentication may switch methods; the exchange ends with OK or ERR.
      for (let i = si; i < rs.length; i++) {
        if (isErr(rs[i]!)) return { end: i + 1, status: RespStatus.ERR, body: rs[i]!.text };
        if (rs[i]!.first === Marker.OK) return { end: i + 1, status: RespStatus.OK, body: '' };
      }
      return null;
    default:
      return { end: si + 1, status: p.first === Marker.OK || p.first === Marker.EOF ? RespStatus.OK : RespStatus.UNKNOWN, body: '' };
  }
}

/** One or more results (OK or result set), following SERVER_MORE_RESULTS_EXISTS. */
function matchResults(rs: MysqlFrame[], si: number): Reply | null {
  let i = si;
  const bodies: string[] = [];
  for (;;) {
    if (i >= rs.length) return null;
    const p = rs[i]!;
    if (isErr(p)) return { end: i + 1, status: RespStatus.ERR, body: p.text };
    if (p.first === Marker.OK || (p.first === Marker.EOF && i > si)) {
      i++;
      if (moreResults(p.status)) continue;
      return { end: i, status: RespStatus.OK, body: bodies.join('; ') };
    }
    if (p.first === Marker.LOCAL_INFILE) return { end: i + 1, status: RespStatus.UNKNOWN, body: 'LOCAL INFILE' };
    if (p.count < 0) return { end: i + 1, status: RespStatus.UNKNOWN, body: '' };
    // A result set: column count, column definitions, [EOF], rows, EOF/OK.
    let k = i + 1 + (p.noMetadata ? 0 : p.count);
    if (k >= rs.length) return null;
    // Without CLIENT_DEPRECATE_EOF a 5-byte EOF closes the definitions; with it, the next packet is a row or the final OK (>= 7 bytes).
    if (isShortEof(rs[k]!)) k++;
    let rows = 0;
    for (;;) {
      if (k >= rs.length) return null;
      const row = rs[k]!;
      if (isErr(row)) return { end: k + 1, status: RespStatus.ERR, body: row.text };
      if (isTerminator(row)) break;
      rows++;
      k++;
    }
    bodies.push(`Resultset rows = ${rows}`);
    i = k + 1;
    if (!moreResults(rs[k]!.status)) return { end: i, status: RespStatus.OK, body: bodies.join('; ') };
  }
}

/** COM_STMT_PREPARE: OK (statement id, columns, params), param definitions [EOF], column definitions [EOF]. */
function matchPrepare(rs: MysqlFrame[], si: number, state: MysqlState): Reply | null {
  const p = rs[si]!;
  if (p.first !== Marker.OK || p.length < 12) return { end: si + 1, status: RespStatus.UNKNOWN, body: '' };
  const eofMode = deprecateEof(state);
  let k = si + 1;
  for (const n of [p.params, p.count]) {
    if (n === 0) continue;
    k += n;
    if (k > rs.length) return null;
    if (eofMode === true) continue;
    if (k === rs.length) {
      // Without the handshake we cannot tell whether an EOF follows; wait for the next packet.
      return null;
    }
    const next = rs[k]!;
    if (isShortEof(next) && next.seq === ((rs[k - 1]!.seq + 1) & 255)) k++;
  }
  return { end: k, status: RespStatus.OK, body: '' };
}

function matchUntilEof(rs: MysqlFrame[], si: number): Reply | null {
  for (let i = si; i < rs.length; i++) {
    if (isErr(rs[i]!)) return { end: i + 1, status: RespStatus.ERR, body: rs[i]!.text };
    if (isTerminator(rs[i]!)) return { end: i + 1, status: RespStatus.OK, body: '' };
  }
  return null;
}

function trim(frames: MysqlFrame[]): number {
  const extra = frames.length - MAX_PENDING;
  if (extra <= 0) return 0;
  frames.splice(0, extra);
  return extra;
}
