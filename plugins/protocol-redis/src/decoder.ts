import {
  DEFAULT_DECODER_LIMITS,
  MessageType,
  REDIS_EVENTS,
  type DecodedRecord,
  type Decoder,
  type DecoderLimits,
  type Frame,
  type ParseResult,
  type StitchResult,
} from '@nixie/core';
import { MESSAGE_KINDS, PUSH_PUB_CMD, SUBSCRIBE_COMMANDS } from './commands.js';
import { parseCommand, type ParsedCommand } from './request.js';
import { INVALID, isRespType, NEED_MORE, RespType, scanValue, type ScanInfo } from './resp.js';
import { TextSink } from '@nixie/core';

/** One Redis message: a command (request) or a reply / push (response). */
export interface RedisFrame extends Frame {
  /** Request: upper-cased command (two words for container commands). Response: ''. */
  cmd: string;
  /** Request: arguments as a JSON array string. Response: ''. */
  args: string;
  /** Request: number of arguments. Response: elements of a top-level aggregate. */
  count: number;
  /** Response: the reply as readable text. */
  resp: string;
  /** Response: lower-cased first word of a top-level array or push (pub/sub kind), else ''. */
  kind: string;
  /** Response: a RESP3 push ('>'). */
  push: boolean;
  /** Response: the last element of a top-level array/push when it is an integer (subscription count). */
  lastInt: number;
}

/** Per-connection state: limits, scratch objects reused for every frame, and pub/sub mode. */
export interface RedisState {
  readonly limits: DecoderLimits;
  readonly sink: TextSink;
  readonly info: ScanInfo;
  readonly command: ParsedCommand;
  /** The client subscribed to a channel: RESP2 arrays shaped like messages are pushes, not replies. */
  subscribed: boolean;
}

/** Frames kept waiting for their partner; beyond this the oldest are dropped (counted as errors). */
export const MAX_PENDING = 4096;

const NEEDS_MORE: ParseResult<RedisFrame> = Object.freeze({ kind: 'needs-more-data' });
const INVALID_RESULT: ParseResult<RedisFrame> = Object.freeze({ kind: 'invalid' });

function createState(limits: DecoderLimits = DEFAULT_DECODER_LIMITS): RedisState {
  return {
    limits,
    sink: new TextSink(),
    info: { type: 0, firstWord: '', lastInt: NaN, count: 0 },
    command: { cmd: '', args: '', argc: 0, consumed: 0 },
    subscribed: false,
  };
}

function parseFrame(type: MessageType, buf: Uint8Array, state: RedisState): ParseResult<RedisFrame> {
  const limit = state.limits.bodyLimitBytes;
  if (type === MessageType.REQUEST) {
    const r = parseCommand(buf, limit, state.command);
    if (r === NEED_MORE) return NEEDS_MORE;
    if (r === INVALID) return INVALID_RESULT;
    const c = state.command;
    if (c.cmd === '') return { kind: 'ignored', consumed: r };
    return { kind: 'success', consumed: r, frame: frame(c.cmd, c.args, c.argc, '', '', false, NaN) };
  }
  state.sink.reset(limit);
  const info = state.info;
  const r = scanValue(buf, 0, 0, state.sink, info);
  if (r === NEED_MORE) return NEEDS_MORE;
  if (r < 0) return INVALID_RESULT;
  const aggregate = info.type === RespType.ARRAY || info.type === RespType.PUSH;
  const f = frame('', '', info.count, state.sink.finish(), aggregate ? info.firstWord : '', info.type === RespType.PUSH, info.lastInt);
  return { kind: 'success', consumed: r, frame: f };
}

function frame(cmd: string, args: string, count: number, resp: string, kind: string, push: boolean, lastInt: number): RedisFrame {
  return { startNs: 0, endNs: 0, cmd, args, count, resp, kind, push, lastInt };
}

/** A message delivered to a subscriber: it answers no request. */
function isMessagePush(f: RedisFrame, state: RedisState): boolean {
  if (!MESSAGE_KINDS.has(f.kind)) return false;
  return f.push || (state.subscribed && (f.count === 3 || f.count === 4));
}

function record(req: RedisFrame | null, resp: RedisFrame, respText: string): DecodedRecord {
  // Like http_events: time_ is when the reply ended, latency runs from the command's first byte.
  const start = req ? req.startNs : resp.endNs;
  return {
    time_: resp.endNs,
    latency: resp.endNs > start ? resp.endNs - start : 0,
    req_cmd: req ? req.cmd : PUSH_PUB_CMD,
    req_args: req ? req.args : '[]',
    resp: respText,
  };
}

/**
 * Pairs commands with replies in order (Redis answers in order, pipelined or not). A subscribe-family
 * command takes one confirmation per channel; messages pushed to a subscriber become records of
 * their own with req_cmd "PUSH PUB". A reply older than the oldest command belongs to a command we
 * never saw and is dropped.
 */
function stitch(requests: RedisFrame[], responses: RedisFrame[], state: RedisState): StitchResult {
  const records: DecodedRecord[] = [];
  let errors = 0;
  let qi = 0;
  let si = 0;
  while (si < responses.length) {
    const r = responses[si]!;
    if (isMessagePush(r, state)) {
      records.push(record(null, r, r.resp));
      si++;
      continue;
    }
    if (r.push && !SUBSCRIBE_COMMANDS.has(r.kind.toUpperCase())) {
      // Other RESP3 pushes (client-side caching invalidations) answer no command either.
      const rec = record(null, r, r.resp);
      rec.req_cmd = `PUSH ${r.kind.toUpperCase()}`.trim();
      records.push(rec);
      si++;
      continue;
    }
    if (qi >= requests.length) break;
    const q = requests[qi]!;
    if (q.startNs > 0 && r.startNs > 0 && r.startNs < q.startNs) {
      errors++;
      si++;
      continue;
    }
    if (SUBSCRIBE_COMMANDS.has(q.cmd)) {
      const want = q.cmd.toLowerCase();
      let j = si;
      let text = '';
      while (j < responses.length && responses[j]!.kind === want && (q.count === 0 || j - si < q.count)) {
        text += (j > si ? ', ' : '') + responses[j]!.resp;
        j++;
      }
      if (j === si) {
        // An error or an unexpected reply: it answers this command.
        records.push(record(q, r, r.resp));
        qi++;
        si++;
        continue;
      }
      if (q.count > 0 && j - si < q.count && j === responses.length) break;
      const last = responses[j - 1]!;
      state.subscribed = want.endsWith('unsubscribe') ? last.lastInt > 0 : true;
      const rec = record(q, r, text);
      records.push(rec);
      qi++;
      si = j;
      continue;
    }
    records.push(record(q, r, r.resp));
    qi++;
    si++;
  }
  requests.splice(0, qi);
  responses.splice(0, si);
  errors += trim(requests) + trim(responses);
  return { records, errors };
}

function trim(frames: RedisFrame[]): number {
  const extra = frames.length - MAX_PENDING;
  if (extra <= 0) return 0;
  frames.splice(0, extra);
  return extra;
}

/** Where a command (request) or a reply (response) plausibly starts: a RESP type byte at a line start. */
function findFrameBoundary(type: MessageType, buf: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i < buf.length; i++) {
    if (i > 0 && buf[i - 1] !== 0x0a) continue;
    const b = buf[i]!;
    if (type === MessageType.REQUEST ? b === RespType.ARRAY : isRespType(b)) return i;
  }
  return -1;
}

/** The Redis decoder: RESP2 and RESP3, pipelining, pub/sub, into redis_events. */
export const redisDecoder: Decoder<RedisFrame, RedisState> = Object.freeze({
  protocol: 'redis',
  // Pub/sub messages answer no command: they are records as soon as they arrive.
  unsolicited: true,
  table: REDIS_EVENTS,
  createState,
  findFrameBoundary,
  parseFrame,
  stitch,
});
