import { byteHeap, MessageType, type ParseContext, type ParseResult } from '@nixie/core';
import {
  asBuffer, COLON, CR, containsLower, eqLower, HEADER_END, HT, HTTP1, isTokenChar, latin1, LF, parseDecimal, SP,
} from './bytes.js';
import { gatherChunked, inflateBody, scanChunked } from './body.js';
import { addHeader, headersJson, newHeaderMap } from './headers.js';
import { copyLatin1, MAX_SPANS, spans, spansJsonBound, spansJsonInto } from './header-spans.js';
import { couldBeMethodPrefix, methodAt, MAX_METHOD_LENGTH } from './methods.js';
import { parseWasm } from './wasm.js';
import { MAX_HEADER_BYTES, MAX_PENDING_METHODS, replaceArena, reserve, takeFrame, type Arena, type HttpMessage, type HttpState } from './types.js';

const NEEDS_MORE: ParseResult<HttpMessage> = Object.freeze({ kind: 'needs-more-data' });
const INVALID: ParseResult<HttpMessage> = Object.freeze({ kind: 'invalid' });
const EOS: ParseResult<HttpMessage> = Object.freeze({ kind: 'eos' });

/** What the header fields say about framing and content; reused between calls (one parse at a time). */
const fields = {
  contentLength: -1,
  chunked: false,
  json: false,
  text: false,
  encoding: '' as '' | 'gzip' | 'deflate',
  upgrade: false,
  connectionUpgrade: false,
};

/** The success result, reused: the agent reads a result before it calls parseFrame again (see ParseResult). */
const SUCCESS: { kind: 'success'; frame: HttpMessage; consumed: number } = { kind: 'success', frame: undefined!, consumed: 0 };

function success(frame: HttpMessage, consumed: number): ParseResult<HttpMessage> {
  SUCCESS.frame = frame;
  SUCCESS.consumed = consumed;
  return SUCCESS;
}

/**
 * Parses the HTTP/1 message at the head of `buf`. Never throws: bad bytes give `invalid`. The WebAssembly parser
 * (wasm.ts) takes the message when it can; the JS parser below takes the rest and gives the same results.
 */
export function parseMessage(type: MessageType, buf: Uint8Array, state: HttpState, ctx?: ParseContext): ParseResult<HttpMessage> {
  return parse(type, buf, state, true, ctx?.heapOffset ?? -1);
}

const heap = byteHeap();

/**
 * parseMessage over the byte heap's bytes [heapOffset, heapOffset + length) (Decoder.parseFrameInHeap): the
 * WebAssembly parser reads them where they lie, with no view made; only a message it hands back gets one, for
 * the JS parser.
 */
export function parseMessageInHeap(type: MessageType, heapOffset: number, length: number, state: HttpState): ParseResult<HttpMessage> {
  if (state.upgraded) return EOS;
  if (type === MessageType.REQUEST && state.upgradePending) return NEEDS_MORE;
  if (length === 0) return NEEDS_MORE;
  const r = parseWasm(type, undefined, length, state, heapOffset);
  if (r !== undefined) return r;
  return parse(type, heap.bytes.subarray(heapOffset, heapOffset + length), state, false, -1);
}

/** parseMessage with the JS parser only (tests compare the two; NIXIE_HTTP_WASM=0 makes every parse take it). */
export function parseMessageJs(type: MessageType, buf: Uint8Array, state: HttpState): ParseResult<HttpMessage> {
  return parse(type, buf, state, false, -1);
}

/** heapOffset: where buf lies in the byte heap, or -1 (ParseContext.heapOffset). */
function parse(type: MessageType, buf: Uint8Array, state: HttpState, wasm: boolean, heapOffset: number): ParseResult<HttpMessage> {
  if (state.upgraded) return EOS;
  // Bytes after an Upgrade request belong to the new protocol if the server agrees: wait for its answer.
  if (type === MessageType.REQUEST && state.upgradePending) return NEEDS_MORE;
  const len = buf.length;
  if (len === 0) return NEEDS_MORE;
  const b = asBuffer(buf);
  if (wasm) {
    const r = parseWasm(type, b, len, state, heapOffset);
    if (r !== undefined) return r;
  }
  if (!plausibleStart(type, b, len)) return INVALID;
  const hdrEnd = b.indexOf(HEADER_END);
  if (hdrEnd < 0) {
    if (len > MAX_HEADER_BYTES) return INVALID;
    // A complete first line can be checked now, so that junk is not buffered until the limit.
    const lf = b.indexOf(LF);
    if (lf >= 0 && !startLine(type, b, lf + 1, hdrLine)) return INVALID;
    return NEEDS_MORE;
  }
  if (!startLine(type, b, hdrEnd + 2, hdrLine)) return INVALID;
  if (!readFields(b, hdrLine.next, hdrEnd + 2)) return INVALID;
  headerEnd = hdrEnd + 2;
  const bodyStart = hdrEnd + 4;
  return type === MessageType.REQUEST ? finishRequest(b, bodyStart, state) : finishResponse(b, bodyStart, state);
}

/** Just past the last header line's CRLF, for the message being parsed. */
let headerEnd = 0;

/** The parsed first line; reused. */
const hdrLine = { method: '', pathStart: 0, pathEnd: 0, minor: 0, status: 0, reasonStart: 0, reasonEnd: 0, next: 0 };

function plausibleStart(type: MessageType, b: Buffer, len: number): boolean {
  if (type === MessageType.REQUEST) return couldBeMethodPrefix(b, 0, len);
  const n = Math.min(len, HTTP1.length);
  for (let i = 0; i < n; i++) if (b[i] !== HTTP1[i]) return false;
  return true;
}

/** Parses the first line, which ends before `limit`, into hdrLine; false if malformed. */
function startLine(type: MessageType, b: Buffer, limit: number, out: typeof hdrLine): boolean {
  // The first line is short: a JS scan is cheaper than a native indexOf call.
  const stop = Math.min(limit, b.length);
  let lf = 0;
  while (lf < stop && b[lf] !== LF) lf++;
  if (lf < 1 || lf >= stop || b[lf - 1] !== CR) return false;
  const end = lf - 1; // the CR
  out.next = lf + 1;
  if (type === MessageType.REQUEST) {
    let sp = 0;
    while (sp < end && sp <= MAX_METHOD_LENGTH && b[sp] !== SP) sp++;
    const method = methodAt(b, 0, sp);
    if (method === '' || b[sp] !== SP) return false;
    const ps = sp + 1;
    let pe = ps;
    while (pe < end && b[pe] !== SP) {
      if (b[pe]! < 0x21 || b[pe] === 0x7f) return false;
      pe++;
    }
    if (pe === ps || pe + 9 !== end) return false;
    const minor = version(b, pe + 1);
    if (minor < 0) return false;
    out.method = method;
    out.pathStart = ps;
    out.pathEnd = pe;
    out.minor = minor;
    return true;
  }
  // HTTP/1.x SP ddd [SP reason]
  const minor = version(b, 0);
  if (minor < 0 || end < 12 || b[8] !== SP) return false;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return false;
    status = status * 10 + d;
  }
  if (status < 100) return false;
  if (end > 12 && b[12] !== SP) return false;
  out.minor = minor;
  out.status = status;
  out.reasonStart = Math.min(13, end);
  out.reasonEnd = end;
  return true;
}

/** Minor version of "HTTP/1.x" at `at`, or -1. */
function version(b: Buffer, at: number): number {
  for (let i = 0; i < HTTP1.length; i++) if (b[at + i] !== HTTP1[i]) return -1;
  const m = b[at + HTTP1.length]! - 0x30;
  return m === 0 || m === 1 ? m : -1;
}

/**
 * Byte classes for one pass over header lines: 1 = token (may be in a field name), 2 = CR, 4 = needs a JSON
 * escape in a value (quote, backslash, control), 0 = other value byte.
 */
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (isTokenChar(c)) CLASS[c] = 1;
  else if (c === CR) CLASS[c] = 2;
  else if (c === 0x22 || c === 0x5c || c < 0x20) CLASS[c] = 4;
}

/** Reads header lines in b[from..end) (end is just past the last line's CRLF) into `fields` and `spans`. */
function readFields(b: Buffer, from: number, end: number): boolean {
  fields.contentLength = -1;
  fields.chunked = false;
  fields.json = false;
  fields.text = false;
  fields.encoding = '';
  fields.upgrade = false;
  fields.connectionUpgrade = false;
  let n = 0;
  let p = from;
  let escapes = 0;
  while (p < end) {
    // One pass per line: the name must be token bytes up to the colon, the value runs to the CR.
    let colon = p;
    while (colon < end && CLASS[b[colon]!] === 1) colon++;
    if (colon === p || colon >= end || b[colon] !== COLON) return false;
    let le = colon + 1;
    while (le < end) {
      const k = CLASS[b[le]!]!;
      if (k === 2) break;
      escapes |= k & 4;
      le++;
    }
    if (le >= end || b[le + 1] !== LF) return false;
    let vs = colon + 1;
    let ve = le;
    while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    if (!noteField(b, p, colon, vs, ve)) return false;
    if (n < MAX_SPANS) {
      spans.ns[n] = p;
      spans.ne[n] = colon;
      spans.vs[n] = vs;
      spans.ve[n] = ve;
    }
    n++;
    p = le + 2;
  }
  spans.count = n;
  spans.escapes = escapes !== 0;
  return true;
}

/** Writes the header fields as JSON into the arena: straight from the bytes when possible, else through a map (repeats, limit). */
function putHeaders(a: Arena, b: Buffer, limit: number, from: number, end: number): void {
  const out = reserve(a, spansJsonBound());
  const o = spansJsonInto(b, limit, out, a.at);
  if (o >= 0) {
    a.at = o;
    return;
  }
  const h = newHeaderMap();
  let p = from;
  while (p < end) {
    const le = b.indexOf(CR, p);
    const colon = b.indexOf(COLON, p);
    let vs = colon + 1;
    let ve = le;
    while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    addHeader(h, latin1(b, p, colon), latin1(b, vs, ve));
    p = le + 2;
  }
  putString(a, headersJson(h, limit));
}

/** Node's native UTF-8 writer (on every Buffer; absent from the typings). */
interface NativeWrite {
  utf8Write(s: string, offset: number, length: number): number;
}

function putString(a: Arena, s: string): void {
  const out = reserve(a, s.length * 3);
  a.at += (out as unknown as NativeWrite).utf8Write(s, a.at, out.length - a.at);
}

/** Writes b[from..to), latin1 text, as UTF-8 (bytes >= 0x80 take two). */
function putLatin1(a: Arena, b: Buffer, from: number, to: number): void {
  a.at = copyLatin1(b, from, to, reserve(a, 2 * (to - from)), a.at);
}

/** Copies bytes src[from..to) as they are. */
function putBytes(a: Arena, src: Buffer, from: number, to: number): void {
  const n = to - from;
  const out = reserve(a, n);
  if (n > 32) {
    src.copy(out, a.at, from, to);
  } else {
    for (let i = 0; i < n; i++) out[a.at + i] = src[from + i]!;
  }
  a.at += n;
}

/** Records what a field says about framing or content; false if it makes the message malformed. */
function noteField(b: Buffer, ns: number, ne: number, vs: number, ve: number): boolean {
  switch (ne - ns) {
    case 14:
      if (eqLower(b, ns, ne, 'content-length')) {
        const n = parseDecimal(b, vs, ve);
        if (n < 0 || (fields.contentLength >= 0 && fields.contentLength !== n)) return false;
        fields.contentLength = n;
      }
      return true;
    case 17:
      if (eqLower(b, ns, ne, 'transfer-encoding')) fields.chunked = containsLower(b, vs, ve, 'chunked');
      return true;
    case 12:
      if (eqLower(b, ns, ne, 'content-type')) {
        fields.json = containsLower(b, vs, ve, 'json');
        fields.text = fields.json || containsLower(b, vs, ve, 'text/') || containsLower(b, vs, ve, 'xml') ||
          containsLower(b, vs, ve, 'javascript') || containsLower(b, vs, ve, 'x-www-form-urlencoded');
      }
      return true;
    case 16:
      if (eqLower(b, ns, ne, 'content-encoding')) {
        fields.encoding = containsLower(b, vs, ve, 'gzip') ? 'gzip' : containsLower(b, vs, ve, 'deflate') ? 'deflate' : '';
      }
      return true;
    case 7:
      if (eqLower(b, ns, ne, 'upgrade')) fields.upgrade = true;
      return true;
    case 10:
      if (eqLower(b, ns, ne, 'connection')) fields.connectionUpgrade = containsLower(b, vs, ve, 'upgrade');
      return true;
    default:
      return true;
  }
}

/** Body framing result: [bodyEnd, bodySize] through these module variables (no tuple allocation). */
let bodyEnd = 0;
let bodySize = 0;

/** Sets bodyEnd/bodySize from the fields; returns a non-success result if the body is incomplete or bad. */
function frameBody(b: Buffer, start: number, untilEnd: boolean): ParseResult<HttpMessage> | undefined {
  if (fields.chunked) {
    const s = scanChunked(b, start, b.length);
    if (s.end === -1) return NEEDS_MORE;
    if (s.end < 0) return INVALID;
    bodyEnd = s.end;
    bodySize = s.size;
    return undefined;
  }
  if (fields.contentLength >= 0) {
    if (start + fields.contentLength > b.length) return NEEDS_MORE;
    bodyEnd = start + fields.contentLength;
    bodySize = fields.contentLength;
    return undefined;
  }
  // No framing: a request has no body; a response runs to the end of the connection, so take what is here.
  bodyEnd = untilEnd ? b.length : start;
  bodySize = bodyEnd - start;
  return undefined;
}

/** Writes the body, inflated if compressed text, cut at `limit` bytes. */
function putBody(a: Arena, b: Buffer, start: number, limit: number): void {
  if (bodySize === 0 || limit === 0) return;
  if (fields.encoding !== '' && fields.text) {
    const raw = fields.chunked ? gatherChunked(b, start, bodySize) : b.subarray(start, start + bodySize);
    const inflated = inflateBody(raw, fields.encoding);
    if (inflated) {
      putBytes(a, inflated, 0, Math.min(inflated.length, limit));
      return;
    }
  }
  if (fields.chunked) {
    const g = gatherChunked(b, start, limit);
    putBytes(a, g, 0, g.length);
    return;
  }
  putBytes(a, b, start, start + Math.min(bodySize, limit));
}

function finishRequest(b: Buffer, start: number, state: HttpState): ParseResult<HttpMessage> {
  const bad = frameBody(b, start, false);
  if (bad) return bad;
  const method = hdrLine.method;
  const frame = newFrame(MessageType.REQUEST, method, 0, b, start, state);
  if (state.methods.length >= MAX_PENDING_METHODS) state.methods.shift();
  state.methods.push(method);
  if (method === 'CONNECT' || (fields.upgrade && fields.connectionUpgrade)) state.upgradePending = true;
  return success(frame, bodyEnd);
}

/**
 * The frame of the message just parsed, its text (path or reason, headers as JSON, body; bodySize 0 writes no
 * body) written into its direction's arena.
 */
function newFrame(type: MessageType, method: string, status: number, b: Buffer, start: number, state: HttpState): HttpMessage {
  const request = type === MessageType.REQUEST;
  const a = request ? state.requestText : state.responseText;
  const ts = request ? hdrLine.pathStart : hdrLine.reasonStart;
  const te = request ? hdrLine.pathEnd : hdrLine.reasonEnd;
  const { bodyLimitBytes, headersLimitBytes } = state.limits;
  // Room for the fast path's headers, and the body (whose size is known by now, or at most the limit if inflated).
  const buf = reserve(a, 2 * (te - ts) + spansJsonBound() + (fields.encoding !== '' ? bodyLimitBytes : Math.min(bodySize, bodyLimitBytes)));
  const frame = writeText(a, type, method, status, b, ts, te, start, state);
  if (a.buf === buf) return frame;
  // Headers that took the slow path moved the arena to a new buffer midway: write it all again, in one buffer.
  replaceArena(a, Math.max(2 * (te - ts) + Math.max(spansJsonBound(), 3 * headersLimitBytes) + bodyLimitBytes, a.buf.length));
  return writeText(a, type, method, status, b, ts, te, start, state);
}

function writeText(a: Arena, type: MessageType, method: string, status: number, b: Buffer, ts: number, te: number, start: number, state: HttpState): HttpMessage {
  const textStart = a.at;
  putLatin1(a, b, ts, te);
  const textEnd = a.at;
  putHeaders(a, b, state.limits.headersLimitBytes, hdrLine.next, headerEnd);
  const hEnd = a.at;
  putBody(a, b, start, state.limits.bodyLimitBytes);
  return takeFrame(type, hdrLine.minor, method, status, fields.json ? 1 : 0, bodySize, a.buf, textStart, textEnd, hEnd, a.at, a.base);
}

function finishResponse(b: Buffer, start: number, state: HttpState): ParseResult<HttpMessage> {
  const status = hdrLine.status;
  const method = state.methods.length > 0 ? state.methods[0]! : '';
  if (status < 200 && status !== 101) {
    // 100 Continue, 103 Early Hints: interim, the final response follows for the same request.
    return { kind: 'ignored', consumed: start };
  }
  const bodiless = status === 101 || status === 204 || status === 304 || method === 'HEAD' ||
    (method === 'CONNECT' && status < 300);
  if (bodiless) {
    bodyEnd = start;
    bodySize = 0;
  } else {
    const bad = frameBody(b, start, true);
    if (bad) return bad;
  }
  const frame = newFrame(MessageType.RESPONSE, '', status, b, start, state);
  state.methods.shift();
  if (state.upgradePending) {
    state.upgradePending = false;
    if (status === 101 || (method === 'CONNECT' && status < 300)) state.upgraded = true;
  }
  return success(frame, bodyEnd);
}
