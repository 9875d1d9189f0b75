import { readFileSync } from 'node:fs';
import { byteHeap, MessageType, RESERVED_LOW, type ParseResult } from '@nixie/core';
import { METHODS } from './methods.js';
import { MAX_PENDING_METHODS, reserve, takeFrame, textHeap, type HttpMessage, type HttpState } from './types.js';

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
const R_ROOM = 6;
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
const S_NEED = 11;
/** Method of the request a response answers, as http1.c's framing needs it. */
const M_OTHER = 0;
const M_HEAD = 1;
const M_CONNECT = 2;

/**
 * A stream outside the heap (a Buffer of a test, or the heap was full) is copied into a window of the heap:
 * this much first (most messages are smaller); a larger one is copied again, wider, up to WINDOW_MAX.
 */
const FIRST_WINDOW = 1024;
const WINDOW_MAX = 256 * 1024;

/** The part of the WebAssembly global used here (the TS libs in use do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface Exports {
  res_ptr(): number;
  __heap_base: { value: number };
  parse_message(type: number, input: number, avail: number, len: number, answered: number, headersLimit: number, bodyLimit: number, out: number, outCap: number): number;
}

interface Engine {
  parse: Exports['parse_message'];
  res: Int32Array;
  /** Where a stream outside the heap is copied (grows up to WINDOW_MAX), and where it lies in the heap. */
  window: Buffer;
  windowBase: number;
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
    // The module's memory is the byte heap: it parses streams and writes arenas where they lie.
    const x = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: textHeap.memory } }).exports as unknown as Exports;
    if (x.__heap_base.value > RESERVED_LOW) throw new Error(`http1.wasm's static data ends at ${x.__heap_base.value}, past the heap's reserved ${RESERVED_LOW} bytes`);
    const window = textHeap.alloc(FIRST_WINDOW);
    return { parse: x.parse_message, res: new Int32Array(textHeap.memory!.buffer, x.res_ptr(), 16), window, windowBase: textHeap.offsetOf(window) };
  } catch (e) {
    wasmUnavailable = (e as Error).message;
    return undefined;
  }
}

const engine = load();

/** Whether arenas are in the process's byte heap, the one ParseContext.heapOffset points into (else a private one). */
const SHARED_HEAP = textHeap === byteHeap();

/** Whether the WebAssembly parser is in use. */
export const wasmParser = engine !== undefined;

const NEEDS_MORE: ParseResult<HttpMessage> = Object.freeze({ kind: 'needs-more-data' });
const INVALID: ParseResult<HttpMessage> = Object.freeze({ kind: 'invalid' });
const SUCCESS: { kind: 'success'; frame: HttpMessage; consumed: number } = { kind: 'success', frame: undefined!, consumed: 0 };

/**
 * Parses the message at the head of the len bytes `b` (non-empty; the caller has handled upgrades) with the
 * WebAssembly parser. b may be undefined when the bytes are in the byte heap at heapOffset. undefined: the JS
 * parser must take this message.
 */
export function parseWasm(type: MessageType, b: Buffer | undefined, len: number, state: HttpState, heapOffset: number): ParseResult<HttpMessage> | undefined {
  const e = engine;
  if (!e) return undefined;
  const request = type === MessageType.REQUEST;
  const answered = request || state.methods.length === 0 ? M_OTHER : answeredKind(state.methods[0]!);
  const { headersLimitBytes, bodyLimitBytes } = state.limits;
  const a = request ? state.requestText : state.responseText;
  // In the heap (a connection's stream), the message is parsed where it lies; else a window of it is copied in.
  const inPlace = heapOffset >= 0 && SHARED_HEAP;
  if (!inPlace && b === undefined) return undefined;
  let avail = inPlace ? len : Math.min(len, FIRST_WINDOW);
  if (!inPlace && !copyToWindow(e, b!, avail)) return undefined;
  let kind: number;
  for (;;) {
    // The arena is outside the heap only when the heap was full: the JS parser writes it then.
    if (a.base < 0) return undefined;
    const input = inPlace ? heapOffset : e.windowBase;
    kind = e.parse(request ? 0 : 1, input, avail, len, answered, headersLimitBytes, bodyLimitBytes, a.base + a.at, a.buf.length - a.at);
    if (kind === R_ROOM) {
      reserve(a, e.res[S_NEED]!);
      continue;
    }
    if (kind !== R_WIDER) break;
    if (inPlace || avail >= WINDOW_MAX || avail === len) return undefined;
    avail = Math.min(len, avail * 8, WINDOW_MAX);
    if (!copyToWindow(e, b!, avail)) return undefined;
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
  const out = a.buf;
  const at = a.at;
  a.at = at + n;
  const method = request ? METHODS[r[S_METHOD]! - 1]! : '';
  const status = r[S_STATUS]!;
  const frame = takeFrame(type, r[S_MINOR]!, method, status, r[S_JSON]!, r[S_BODY_SIZE]!, out, at, at + r[S_TEXT_END]!, at + r[S_HEADERS_END]!, at + n, a.base);
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

/** Copies b[0..n) into the window, a larger block of the heap if need be; false if the heap has no room (yet). */
function copyToWindow(e: Engine, b: Buffer, n: number): boolean {
  if (n > e.window.length || e.windowBase < 0) {
    textHeap.release(e.window);
    e.window = textHeap.alloc(n);
    e.windowBase = textHeap.offsetOf(e.window);
  }
  if (e.windowBase < 0) return false;
  b.copy(e.window, 0, 0, n);
  return true;
}

function answeredKind(method: string): number {
  return method === 'HEAD' ? M_HEAD : method === 'CONNECT' ? M_CONNECT : M_OTHER;
}
