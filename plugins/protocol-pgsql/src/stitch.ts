import type { DecodedRecord, StitchResult } from '@nixie/core';
import { Backend, Frontend } from './messages.js';
import type { PgFrame } from './parse.js';

/** Frames kept waiting for their partner; beyond this the oldest are dropped (counted as errors). */
export const MAX_PENDING = 4096;

/** req_cmd values, as Pixie names them. */
export const PgCommand = Object.freeze({
  QUERY: 'QUERY',
  EXECUTE: 'EXECUTE',
  PARSE: 'PARSE',
  BIND: 'BIND',
  CLOSE: 'CLOSE',
} as const);

function rec(req: PgFrame, resp: PgFrame, cmd: string, text: string, body: string): DecodedRecord {
  // Like http_events: time_ is when the response ended, latency runs from the request's first byte.
  return {
    time_: resp.endNs,
    latency: resp.endNs > req.startNs ? resp.endNs - req.startNs : 0,
    req_cmd: cmd,
    req: text,
    resp: body,
  };
}

function indexOfTag(frames: PgFrame[], from: number, tag: number): number {
  for (let i = from; i < frames.length; i++) if (frames[i]!.tag === tag) return i;
  return -1;
}

/**
 * Pairs requests with responses. A simple Query's response runs to its ReadyForQuery; an extended
 * query batch (Parse/Bind/Execute/Close ... Sync) is answered message by message, ending at the
 * ReadyForQuery that answers Sync. After an ErrorResponse the server skips to Sync.
 */
export function stitchPg(requests: PgFrame[], responses: PgFrame[]): StitchResult {
  const records: DecodedRecord[] = [];
  let errors = 0;
  let qi = 0;
  let si = 0;
  while (qi < requests.length && si < responses.length) {
    const q = requests[qi]!;
    // A response that ended before this request began answers a request we never saw.
    if (q.startNs > 0 && responses[si]!.endNs > 0 && responses[si]!.endNs < q.startNs) {
      errors++;
      si++;
      continue;
    }
    const z = indexOfTag(responses, si, Backend.READY_FOR_QUERY);
    if (z < 0) break;
    if (q.tag === Frontend.QUERY) {
      let body = '';
      for (let i = si; i < z; i++) {
        const r = responses[i]!;
        const t = r.tag === Backend.EMPTY_QUERY ? 'EMPTY QUERY' : r.text;
        if (t) body += (body ? '\n' : '') + t;
      }
      records.push(rec(q, responses[z]!, PgCommand.QUERY, q.text, body));
      qi++;
      si = z + 1;
      continue;
    }
    const sync = indexOfTag(requests, qi, Frontend.SYNC);
    if (sync < 0) break;
    const ri = stitchBatch(requests, qi, sync, responses, si, z, records);
    qi = sync + 1;
    si = ri;
  }
  requests.splice(0, qi);
  responses.splice(0, si);
  return { records, errors: errors + trim(requests) + trim(responses) };
}

/** Matches one extended-query batch requests[from..sync] with responses[si..z]; returns the next response index. */
function stitchBatch(requests: PgFrame[], from: number, sync: number, responses: PgFrame[], si: number, z: number, out: DecodedRecord[]): number {
  let ri = si;
  let parse: PgFrame | null = null;
  let produced = false;
  for (let i = from; i < sync; i++) {
    const q = requests[i]!;
    const r = ri < z ? responses[ri]! : responses[z]!;
    if (r.tag === Backend.ERROR_RESPONSE) {
      // The error answers this message; an Execute later in the batch is what the client wanted.
      let target = q;
      for (let j = i; j < sync; j++) {
        if (requests[j]!.tag === Frontend.EXECUTE) {
          target = requests[j]!;
          break;
        }
      }
      const cmd = target.tag === Frontend.EXECUTE ? PgCommand.EXECUTE : nameOf(target.tag);
      out.push(rec(requests[from]!, r, cmd, describe(target.text || parse?.text || '', target.params), r.text));
      return z + 1;
    }
    switch (q.tag) {
      case Frontend.PARSE:
        parse = q;
        if (r.tag === Backend.PARSE_COMPLETE) ri++;
        break;
      case Frontend.BIND:
        if (r.tag === Backend.BIND_COMPLETE) ri++;
        break;
      case Frontend.CLOSE:
        if (r.tag === Backend.CLOSE_COMPLETE) ri++;
        break;
      case Frontend.EXECUTE: {
        let body = '';
        if (r.tag === Backend.COMMAND_COMPLETE || r.tag === Backend.EMPTY_QUERY || r.tag === Backend.PORTAL_SUSPENDED) {
          body = r.tag === Backend.COMMAND_COMPLETE ? r.text : r.tag === Backend.EMPTY_QUERY ? 'EMPTY QUERY' : 'PORTAL SUSPENDED';
          ri++;
        }
        out.push(rec(requests[from]!, r, PgCommand.EXECUTE, describe(q.text, q.params), body));
        produced = true;
        break;
      }
      default:
        break;
    }
  }
  if (!produced && parse) out.push(rec(requests[from]!, responses[z]!, PgCommand.PARSE, parse.text, 'PARSE COMPLETE'));
  return z + 1;
}

function nameOf(tag: number): string {
  if (tag === Frontend.PARSE) return PgCommand.PARSE;
  if (tag === Frontend.BIND) return PgCommand.BIND;
  if (tag === Frontend.CLOSE) return PgCommand.CLOSE;
  return PgCommand.EXECUTE;
}

/** The statement with its bound parameters, e.g. "SELECT $1 params=[42]". */
function describe(query: string, params: string): string {
  return params && params !== '[]' ? `${query} params=${params}` : query;
}

function trim(frames: PgFrame[]): number {
  const extra = frames.length - MAX_PENDING;
  if (extra <= 0) return 0;
  frames.splice(0, extra);
  return extra;
}
