import type { DecoderLimits, Frame, ParseResult } from '@nixie/core';
import { Backend, Frontend, isBackendType, isFrontendType, StartupCode } from './messages.js';
import { readI32, Reader } from './reader.js';
import { decodeText, TextSink } from '@nixie/core';

/** One PostgreSQL message that matters for records; the others are parsed and passed over. */
export interface PgFrame extends Frame {
  /** The message type byte (Frontend.* for requests, Backend.* for responses). */
  tag: number;
  /**
   * Query (Q, P); the statement's query text (B, E); command tag (CommandComplete);
   * "<severity>: <message>" (ErrorResponse); '' otherwise.
   */
  text: string;
  /** Bound parameters as text (B, E), '' otherwise. */
  params: string;
}

/** Per-connection parse state: prepared statements and portals (bounded), startup phase flags. */
export interface PgState {
  readonly limits: DecoderLimits;
  readonly reader: Reader;
  readonly sink: TextSink;
  /** Statement name -> query text ('' is the unnamed statement). */
  readonly statements: Map<string, string>;
  /** Portal name -> statement query and bound parameters. */
  readonly portals: Map<string, { query: string; params: string }>;
  /** The client asked for SSL/GSS encryption: the server's next byte is a one-byte 'S'/'N' answer. */
  sslRequested: boolean;
  /** AuthenticationOk seen: the next ReadyForQuery ends the startup, it answers no query. */
  awaitingStartupReady: boolean;
}

/** Statements and portals kept per connection; the oldest is forgotten beyond this. */
export const MAX_STATEMENTS = 256;
/** Largest message we wait for (PostgreSQL's own limit is 1 GB). */
const MAX_MESSAGE = 1 << 30;
const MAX_NAME = 128;

const NEEDS_MORE: ParseResult<PgFrame> = Object.freeze({ kind: 'needs-more-data' });
const INVALID: ParseResult<PgFrame> = Object.freeze({ kind: 'invalid' });

/** Fresh state for one connection. */
export function createPgState(limits: DecoderLimits): PgState {
  return {
    limits,
    reader: new Reader(),
    sink: new TextSink(),
    statements: new Map(),
    portals: new Map(),
    sslRequested: false,
    awaitingStartupReady: false,
  };
}

function frame(tag: number, text: string, params: string): PgFrame {
  return { startNs: 0, endNs: 0, tag, text, params };
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_STATEMENTS) map.delete(map.keys().next().value!);
}

/** Parses one client message at the head of buf. */
export function parseRequest(buf: Uint8Array, state: PgState): ParseResult<PgFrame> {
  if (buf.length === 0) return NEEDS_MORE;
  const type = buf[0]!;
  if (type === 0) return parseStartup(buf, state);
  if (!isFrontendType(type)) return INVALID;
  if (buf.length < 5) return NEEDS_MORE;
  const len = readI32(buf, 1);
  if (len < 4 || len > MAX_MESSAGE) return INVALID;
  const total = len + 1;
  if (buf.length < total) return NEEDS_MORE;
  const r = state.reader.reset(buf, 5, total);
  const limit = state.limits.bodyLimitBytes;
  let f: PgFrame;
  switch (type) {
    case Frontend.QUERY:
      f = frame(type, r.cstring(limit), '');
      break;
    case Frontend.PARSE: {
      const name = r.cstring(MAX_NAME);
      const query = r.cstring(limit);
      if (r.ok) remember(state.statements, name, query);
      f = frame(type, query, '');
      break;
    }
    case Frontend.BIND: {
      const portal = r.cstring(MAX_NAME);
      const stmt = r.cstring(MAX_NAME);
      const query = state.statements.get(stmt) ?? '';
      const params = renderParams(r, state.sink, limit);
      if (r.ok) remember(state.portals, portal, { query, params });
      f = frame(type, query, params);
      break;
    }
    case Frontend.EXECUTE: {
      const p = state.portals.get(r.cstring(MAX_NAME));
      f = frame(type, p?.query ?? '', p?.params ?? '');
      break;
    }
    case Frontend.CLOSE: {
      const kind = r.u8();
      const name = r.cstring(MAX_NAME);
      if (r.ok) (kind === 0x53 ? state.statements : state.portals).delete(name);
      f = frame(type, '', '');
      break;
    }
    case Frontend.SYNC:
      f = frame(type, '', '');
      break;
    default:
      // Describe, Flush, Terminate, COPY data, function calls and passwords make no record of their own.
      return { kind: 'ignored', consumed: total };
  }
  if (!r.ok) return INVALID;
  return { kind: 'success', frame: f, consumed: total };
}

function parseStartup(buf: Uint8Array, state: PgState): ParseResult<PgFrame> {
  if (buf.length < 8) return NEEDS_MORE;
  const len = readI32(buf, 0);
  const code = readI32(buf, 4);
  if (len < 8 || len > 10_000) return INVALID;
  if (code === StartupCode.SSL_REQUEST || code === StartupCode.GSSENC_REQUEST) {
    if (len !== 8) return INVALID;
    state.sslRequested = true;
  } else if (code !== StartupCode.PROTOCOL_3 && code !== StartupCode.CANCEL_REQUEST && (code >>> 16) !== 3) {
    return INVALID;
  }
  if (buf.length < len) return NEEDS_MORE;
  return { kind: 'ignored', consumed: len };
}

/** Bind's parameters as "[v1, v2, ...]": text as it is, binary as hex, NULL as NULL; cut at limit. */
function renderParams(r: Reader, sink: TextSink, limit: number): string {
  const nFormats = r.i16();
  const formatsAt = r.pos;
  r.skip(2 * Math.max(0, nFormats));
  const n = r.i16();
  if (!r.ok || n < 0 || nFormats < 0) return '';
  sink.reset(limit);
  sink.add('[');
  const b = r.buf;
  for (let i = 0; i < n && r.ok; i++) {
    if (i > 0) sink.add(', ');
    const len = r.i32();
    if (len === -1) {
      sink.add('NULL');
      continue;
    }
    const start = r.pos;
    r.skip(len);
    if (!r.ok || sink.room() <= 0) continue;
    const fa = nFormats === 0 ? -1 : formatsAt + 2 * (nFormats === 1 ? 0 : i);
    const binary = fa >= 0 && fa + 1 < b.length && ((b[fa]! << 8) | b[fa + 1]!) === 1;
    if (binary) sink.add(hex(b, start, Math.min(start + len, start + (sink.room() >> 1) + 1)));
    else sink.add(decodeText(b, start, start + len, sink.room() + 1));
  }
  sink.add(']');
  return sink.finish();
}

const HEX = '0123456789abcdef';

function hex(b: Uint8Array, start: number, end: number): string {
  let s = '\\x';
  for (let i = start; i < end; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

/** Parses one server message at the head of buf. */
export function parseResponse(buf: Uint8Array, state: PgState): ParseResult<PgFrame> {
  if (buf.length === 0) return NEEDS_MORE;
  const type = buf[0]!;
  const sslAnswer = type === 0x53 || type === 0x4e;
  if (sslAnswer && state.sslRequested) {
    state.sslRequested = false;
    return { kind: 'ignored', consumed: 1 };
  }
  if (!isBackendType(type)) return INVALID;
  if (buf.length < 5) return NEEDS_MORE;
  const len = readI32(buf, 1);
  if (len < 4 || len > MAX_MESSAGE) {
    // A one-byte answer to an SSLRequest we did not see, followed by the next message.
    return sslAnswer ? { kind: 'ignored', consumed: 1 } : INVALID;
  }
  const total = len + 1;
  if (buf.length < total) return NEEDS_MORE;
  const r = state.reader.reset(buf, 5, total);
  switch (type) {
    case Backend.AUTHENTICATION:
      if (len >= 8 && r.i32() === 0) state.awaitingStartupReady = true;
      return { kind: 'ignored', consumed: total };
    case Backend.READY_FOR_QUERY:
      if (len !== 5) return INVALID;
      if (state.awaitingStartupReady) {
        state.awaitingStartupReady = false;
        return { kind: 'ignored', consumed: total };
      }
      return { kind: 'success', frame: frame(type, '', ''), consumed: total };
    case Backend.COMMAND_COMPLETE: {
      const tag = r.cstring(state.limits.bodyLimitBytes);
      if (!r.ok) return INVALID;
      return { kind: 'success', frame: frame(type, tag, ''), consumed: total };
    }
    case Backend.ERROR_RESPONSE: {
      const text = renderError(r, state.limits.bodyLimitBytes);
      if (!r.ok) return INVALID;
      return { kind: 'success', frame: frame(type, text, ''), consumed: total };
    }
    case Backend.PARSE_COMPLETE:
    case Backend.BIND_COMPLETE:
    case Backend.CLOSE_COMPLETE:
    case Backend.EMPTY_QUERY:
    case Backend.PORTAL_SUSPENDED:
      return { kind: 'success', frame: frame(type, '', ''), consumed: total };
    default:
      // Rows, row descriptions, notices, parameter status, COPY data: the command tag says enough.
      return { kind: 'ignored', consumed: total };
  }
}

/** "<severity>: <message>" from an ErrorResponse's fields. */
function renderError(r: Reader, limit: number): string {
  let severity = '';
  let message = '';
  while (r.ok && r.left() > 0) {
    const field = r.u8();
    if (field === 0) break;
    const v = r.cstring(limit);
    if (field === 0x56 || (field === 0x53 && severity === '')) severity = v; // 'V' non-localized, 'S' localized
    else if (field === 0x4d) message = v; // 'M'
  }
  return severity ? `${severity}: ${message}` : message;
}
