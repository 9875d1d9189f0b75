import type { DecoderLimits, Frame, ParseResult } from '@nixie/core';
import { Capability, Command, COM_STMT_BULK_EXECUTE, Marker, MAX_COMMAND, SERVER_MORE_RESULTS_EXISTS } from './constants.js';
import { Reader } from './reader.js';
import { TextSink, TRUNCATED } from '@nixie/core';

/** One MySQL packet: a command (request) or one packet of a reply (response). */
export interface MysqlFrame extends Frame {
  /** Sequence id: 0 for a command, 1 for the first packet of its reply, then counting up. */
  seq: number;
  /** Payload length. */
  length: number;
  /** First payload byte (the command for requests; OK/EOF/ERR marker for responses), -1 if empty. */
  first: number;
  /** Request: statement text (QUERY, PREPARE, INIT_DB...). Response: ERR message. */
  text: string;
  /** Request: statement id (EXECUTE, CLOSE, RESET). Response: prepare-OK statement id. */
  stmtId: number;
  /** Response: length-encoded integer filling the packet (column count), else -1; prepare-OK: columns. */
  count: number;
  /** Response, prepare-OK: parameter count. */
  params: number;
  /** Response: server status flags of an OK/EOF packet, else 0. */
  status: number;
  /** Response, column count: the column definitions are omitted (the client cached them). */
  noMetadata: boolean;
  /** Request, COM_STMT_EXECUTE: a bounded copy of the payload, decoded when stitching. */
  payload: Uint8Array | null;
}

/** A prepared statement as the connection knows it. */
export interface Statement {
  query: string;
  numParams: number;
  /** Parameter types (2 bytes each) from the last execute that sent them. */
  types: Uint8Array | null;
}

/** Per-connection state: prepared statements (bounded), negotiated capabilities. */
export interface MysqlState {
  readonly limits: DecoderLimits;
  readonly reader: Reader;
  readonly sink: TextSink;
  readonly statements: Map<number, Statement>;
  clientCaps: number;
  serverCaps: number;
}

/** Prepared statements kept per connection; the oldest is forgotten beyond this. */
export const MAX_STATEMENTS = 256;
/** Bytes of a COM_STMT_EXECUTE payload kept beyond the body limit for its header, bitmap and types. */
const EXECUTE_HEADER_ROOM = 4096;

const NEEDS_MORE: ParseResult<MysqlFrame> = Object.freeze({ kind: 'needs-more-data' });
const INVALID: ParseResult<MysqlFrame> = Object.freeze({ kind: 'invalid' });

/** Fresh state for one connection. */
export function createMysqlState(limits: DecoderLimits): MysqlState {
  return { limits, reader: new Reader(), sink: new TextSink(), statements: new Map(), clientCaps: 0, serverCaps: 0 };
}

/** Both sides agreed to CLIENT_DEPRECATE_EOF: true / false, or null when the handshake was not seen. */
export function deprecateEof(state: MysqlState): boolean | null {
  if (!state.clientCaps || !state.serverCaps) return null;
  return (state.clientCaps & state.serverCaps & Capability.DEPRECATE_EOF) !== 0;
}

function frame(seq: number, length: number, first: number): MysqlFrame {
  return { startNs: 0, endNs: 0, seq, length, first, text: '', stmtId: 0, count: -1, params: 0, status: 0, noMetadata: false, payload: null };
}

/** Parses one packet (4-byte header + payload) at the head of buf. */
export function parsePacket(isRequest: boolean, buf: Uint8Array, state: MysqlState): ParseResult<MysqlFrame> {
  if (buf.length < 4) return NEEDS_MORE;
  const length = buf[0]! | (buf[1]! << 8) | (buf[2]! << 16);
  const seq = buf[3]!;
  const total = 4 + length;
  if (buf.length < total) return NEEDS_MORE;
  return isRequest ? parseRequest(buf, length, seq, total, state) : parseResponse(buf, length, seq, total, state);
}

function parseRequest(buf: Uint8Array, length: number, seq: number, total: number, state: MysqlState): ParseResult<MysqlFrame> {
  if (seq !== 0) {
    // Handshake response, auth data, LOCAL INFILE contents, continuation of a 16 MB packet.
    if (seq === 1 && length >= 32) {
      const caps = buf[4]! | (buf[5]! << 8) | (buf[6]! << 16) | (buf[7]! * 0x1000000);
      if (caps & Capability.PROTOCOL_41) state.clientCaps = caps >>> 0;
    }
    return { kind: 'ignored', consumed: total };
  }
  if (length === 0) return INVALID;
  const cmd = buf[4]!;
  if (cmd > MAX_COMMAND && cmd !== COM_STMT_BULK_EXECUTE) return INVALID;
  const f = frame(seq, length, cmd);
  const r = state.reader.reset(buf, 5, total);
  const limit = state.limits.bodyLimitBytes;
  switch (cmd) {
    case Command.QUERY:
    case Command.STMT_PREPARE:
    case Command.INIT_DB:
    case Command.CREATE_DB:
    case Command.DROP_DB:
    case Command.FIELD_LIST:
      f.text = r.restString(limit) + (length - 1 > limit ? TRUNCATED : '');
      break;
    case Command.STMT_EXECUTE:
      f.stmtId = r.u32();
      // A copy: the agent reuses its stream buffers (and Buffer#slice would be a view anyway).
      f.payload = copy(buf, 4, Math.min(total, 4 + limit + EXECUTE_HEADER_ROOM));
      break;
    case Command.STMT_CLOSE:
    case Command.STMT_RESET:
    case Command.STMT_SEND_LONG_DATA:
    case Command.STMT_FETCH:
      f.stmtId = r.u32();
      break;
    case Command.PROCESS_KILL:
      f.text = String(r.u32());
      break;
    default:
      break;
  }
  if (!r.ok) return INVALID;
  return { kind: 'success', frame: f, consumed: total };
}

function parseResponse(buf: Uint8Array, length: number, seq: number, total: number, state: MysqlState): ParseResult<MysqlFrame> {
  if (seq === 0) {
    // The server greeting (protocol version 10) opens the connection; it answers no command.
    if (length > 0 && buf[4] === 10) readServerCaps(buf, total, state);
    return { kind: 'ignored', consumed: total };
  }
  const first = length > 0 ? buf[4]! : -1;
  const f = frame(seq, length, first);
  const r = state.reader.reset(buf, 5, total);
  if (first === Marker.ERR) {
    r.u16(); // error code
    if (r.left() > 0 && buf[r.pos] === 0x23) r.skip(6); // '#' + SQLSTATE
    f.text = r.restString(state.limits.bodyLimitBytes);
  } else if (first === Marker.OK) {
    if (length >= 12) {
      // A COM_STMT_PREPARE reply has this exact shape; stitching decides which it is.
      f.stmtId = r.u32();
      f.count = r.u16();
      f.params = r.u16();
      r.reset(buf, 5, total);
    }
    r.lenenc();
    r.lenenc();
    f.status = r.u16();
  } else if (first === Marker.EOF && length < 9) {
    r.u16(); // warnings
    f.status = r.u16();
  } else if (first === Marker.EOF) {
    r.lenenc();
    r.lenenc();
    f.status = r.u16();
  } else if (length > 0 && length <= 10) {
    r.reset(buf, 4, total);
    const n = r.lenenc();
    if (r.ok && r.pos === total) {
      f.count = n;
    } else if (r.ok && r.pos + 1 === total && buf[r.pos]! <= 1) {
      // MariaDB's CACHE_METADATA (and MySQL's OPTIONAL_RESULTSET_METADATA) add a "metadata follows" byte.
      f.count = n;
      f.noMetadata = buf[r.pos] === 0;
    }
  }
  // A short OK/EOF is still a packet; its fields just stay 0.
  return { kind: 'success', frame: f, consumed: total };
}

function readServerCaps(buf: Uint8Array, total: number, state: MysqlState): void {
  const r = state.reader.reset(buf, 5, total);
  while (r.pos < r.end && buf[r.pos] !== 0) r.pos++; // server version
  r.skip(1 + 4 + 8 + 1); // NUL, connection id, auth data part 1, filler
  const low = r.u16();
  r.skip(1 + 2); // charset, status
  const high = r.u16();
  if (r.ok) state.serverCaps = (low | (high << 16)) >>> 0;
}

/** Whether a status says that another result set follows. */
export function moreResults(status: number): boolean {
  return (status & SERVER_MORE_RESULTS_EXISTS) !== 0;
}

/** Remembers a prepared statement, forgetting the oldest beyond MAX_STATEMENTS. */
export function rememberStatement(state: MysqlState, id: number, stmt: Statement): void {
  state.statements.delete(id);
  state.statements.set(id, stmt);
  if (state.statements.size > MAX_STATEMENTS) state.statements.delete(state.statements.keys().next().value!);
}

/** A fresh copy of buf[start, end). */
export function copy(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(buf.subarray(start, end));
  return out;
}
