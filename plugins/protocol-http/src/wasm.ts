import { readFileSync } from 'node:fs';
import { MessageType, type ParseResult } from '@nixie/core';
import { METHODS } from './methods.js';
import { HttpMessage, MAX_PENDING_METHODS, reserve, type HttpState } from './types.js';

/**
 * The WebAssembly HTTP/1 parser (wasm/http1.c): the common message in one call, about a third of the JS byte
 * loops' time. It hands back what it does not do exactly as the JS parser would (FALLBACK), and the caller
 * runs the JS parser on that message.
 */

/** Result kinds of parse_message (http1.c). */
const R_SUCCESS = 0;
const R_NEEDS_MORE = 1;
const R_INVALID = 2;
const R_IGNORED = 3;
const R_FALLBACK = 4;
const R_WIDER = 5;
/** Result slots (slot 0 holds the kind, also returned). */
const S_CONSUMED = 1;
const S_METHOD = 2;
const S_STATUS = 3;
const S_MINOR = 4;
const S_JSON = 5;
const S_BODY_SIZE = 6;
const S_TEXT_END = 7;
const S_HEADERS_END = 8;
const S_OUT_END = 9;
const S_UPGRADE = 10;
/** Method of the request a response answers, as http1.c's framing needs it. */
const M_OTHER = 0;
const M_HEAD = 1;
const M_CONNECT = 2;

/** Bytes of a stream copied in first: most messages are smaller; a larger one is copied again, wider. */
const FIRST_WINDOW = 1024;

/** The part of the WebAssembly global used here (the TS libs in use do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface Exports {
  memory: { buffer: ArrayBuffer };
  in_ptr(): number;
  out_ptr(): number;
  res_ptr(): number;
  in_cap(): number;
  parse_message(type: number, avail: number, len: number, answered: number, headersLimit: number, bodyLimit: number): number;
}

interface Engine {
  parse: Exports['parse_message'];
  /** All of the module's memory (fixed size: it never grows, so views stay valid). */
  mem: Buffer;
  inPtr: number;
  inCap: number;
  outPtr: number;
  res: Int32Array;
}

/** Why the WebAssembly parser is not in use ('' when it is). */
export let wasmUnavailable = '';

function load(): Engine | undefined {
  if (process.env.NIXIE_HTTP_WASM === '0') {
    wasmUnavailable = 'NIXIE_HTTP_WASM=0';
    return undefined;
  }
  try {
    const bytes = readFileSync(new URL('../wasm/http1.wasm', import.meta.url));
    const x = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;
    const mem = Buffer.from(x.memory.buffer);
    return { parse: x.parse_message, mem, inPtr: x.in_ptr(), inCap: x.in_cap(), outPtr: x.out_ptr(), res: new Int32Array(x.memory.buffer, x.res_ptr(), 16) };
  } catch (e) {
    wasmUnavailable = (e as Error).message;
    return undefined;
  }
}

const engine = load();

/** Whether the WebAssembly parser is in use. */
export const wasmParser = engine !== undefined;

const NEEDS_MORE: ParseResult<HttpMessage> = Object.freeze({ kind: 'needs-more-data' });
const INVALID: ParseResult<HttpMessage> = Object.freeze({ kind: 'invalid' });
const SUCCESS: { kind: 'success'; frame: HttpMessage; consumed: number } = { kind: 'success', frame: undefined!, consumed: 0 };

/**
 * Parses the message at the head of `b` (non-empty; the caller has handled upgrades) with the WebAssembly parser.
 * undefined: the JS parser must take this message.
 */
export function parseWasm(type: MessageType, b: Buffer, state: HttpState): ParseResult<HttpMessage> | undefined {
  const e = engine;
  if (!e) return undefined;
  const len = b.length;
  const request = type === MessageType.REQUEST;
  const answered = request || state.methods.length === 0 ? M_OTHER : answeredKind(state.methods[0]!);
  const { headersLimitBytes, bodyLimitBytes } = state.limits;
  let avail = Math.min(len, FIRST_WINDOW);
  let kind: number;
  for (;;) {
    b.copy(e.mem, e.inPtr, 0, avail);
    kind = e.parse(request ? 0 : 1, avail, len, answered, headersLimitBytes, bodyLimitBytes);
    if (kind !== R_WIDER) break;
    if (avail >= e.inCap || avail === len) return undefined;
    avail = Math.min(len, avail * 8, e.inCap);
  }
  const r = e.res;
  switch (kind) {
    case R_SUCCESS:
      break;
    case R_NEEDS_MORE:
      return NEEDS_MORE;
    case R_INVALID:
      return INVALID;
    case R_IGNORED:
      return { kind: 'ignored', consumed: r[S_CONSUMED]! };
    case R_FALLBACK:
    default:
      return undefined;
  }
  const n = r[S_OUT_END]!;
  const a = request ? state.requestText : state.responseText;
  const out = reserve(a, n);
  const at = a.at;
  e.mem.copy(out, at, e.outPtr, e.outPtr + n);
  a.at = at + n;
  const method = request ? METHODS[r[S_METHOD]! - 1]! : '';
  const status = r[S_STATUS]!;
  const frame = new HttpMessage(type, r[S_MINOR]!, method, status, r[S_JSON]!, r[S_BODY_SIZE]!, out, at, at + r[S_TEXT_END]!, at + r[S_HEADERS_END]!, at + n);
  if (request) {
    if (state.methods.length >= MAX_PENDING_METHODS) state.methods.shift();
    state.methods.push(method);
    if (r[S_UPGRADE] === 1) state.upgradePending = true;
  } else {
    const asked = state.methods.length > 0 ? state.methods[0]! : '';
    state.methods.shift();
    if (state.upgradePending) {
      state.upgradePending = false;
      if (status === 101 || (asked === 'CONNECT' && status < 300)) state.upgraded = true;
    }
  }
  SUCCESS.frame = frame;
  SUCCESS.consumed = r[S_CONSUMED]!;
  return SUCCESS;
}

function answeredKind(method: string): number {
  return method === 'HEAD' ? M_HEAD : method === 'CONNECT' ? M_CONNECT : M_OTHER;
}
