import { columnIndex, HTTP_EVENTS, type DecodedRecord, type RowWriter, type StitchCounts, type StitchResult } from '@nixie/core';
import { recycleFrame, restartArena, type HttpMessage, type HttpState } from './types.js';

/**
 * HTTP/1 answers requests in order (pipelining included), so requests and responses pair first to first.
 * A response that ended before the oldest request began answers a request we never saw: it is dropped
 * and counted. Unanswered requests wait for the next call. Frames paired or dropped go back to the parsers
 * (recycleFrame): `each` is the last to read them.
 */
function pair(requests: HttpMessage[], responses: HttpMessage[], state: HttpState | undefined, each: (req: HttpMessage, resp: HttpMessage) => void): number {
  let errors = 0;
  let ri = 0;
  let si = 0;
  while (si < responses.length && ri < requests.length) {
    const resp = responses[si]!;
    const req = requests[ri]!;
    if (resp.endNs !== 0 && req.startNs > resp.endNs) {
      errors++;
      si++;
      recycleFrame(resp);
      continue;
    }
    each(req, resp);
    recycleFrame(req);
    recycleFrame(resp);
    ri++;
    si++;
  }
  dropHead(requests, ri);
  dropHead(responses, si);
  // No frame of a direction is waiting: its text arena starts over.
  if (state && requests.length === 0) restartArena(state.requestText);
  if (state && responses.length === 0) restartArena(state.responseText);
  return errors;
}

/**
 * Removes the first n frames in place (splice would allocate the array of removed ones on every call). The tail
 * goes by pop, which V8 inlines: setting `length` is a runtime call, and it may shrink the backing store, which
 * the next frames then grow again.
 */
function dropHead(frames: HttpMessage[], n: number): void {
  if (n === 0) return;
  const left = frames.length - n;
  for (let i = 0; i < left; i++) frames[i] = frames[i + n]!;
  while (frames.length > left) frames.pop();
}

/** Decoder.stitch: one record each pair. Frames stitched are the parsers' again: keep the records, not them. */
export function stitchHttp(requests: HttpMessage[], responses: HttpMessage[], state?: HttpState): StitchResult {
  const records: DecodedRecord[] = [];
  const errors = pair(requests, responses, state, (req, resp) => records.push(toRecord(req, resp)));
  return { records, errors };
}

/** One http_events row (without the socket columns, which the agent adds). */
export function toRecord(req: HttpMessage, resp: HttpMessage): DecodedRecord {
  return {
    time_: resp.endNs,
    latency: resp.endNs > req.startNs ? resp.endNs - req.startNs : 0,
    major_version: 1,
    minor_version: resp.minorVersion,
    content_type: resp.contentType || req.contentType,
    req_headers: req.headers,
    req_method: req.method,
    req_path: req.path,
    req_body: req.body,
    req_body_size: req.bodySize,
    resp_headers: resp.headers,
    resp_status: resp.status,
    resp_message: resp.message,
    resp_body: resp.body,
    resp_body_size: resp.bodySize,
  };
}

const col = (name: string): number => columnIndex(HTTP_EVENTS, name);
const TIME = col('time_');
const LATENCY = col('latency');
const MAJOR = col('major_version');
const MINOR = col('minor_version');
const CONTENT_TYPE = col('content_type');
const REQ_HEADERS = col('req_headers');
const REQ_METHOD = col('req_method');
const REQ_PATH = col('req_path');
const REQ_BODY = col('req_body');
const REQ_BODY_SIZE = col('req_body_size');
const RESP_HEADERS = col('resp_headers');
const RESP_STATUS = col('resp_status');
const RESP_MESSAGE = col('resp_message');
const RESP_BODY = col('resp_body');
const RESP_BODY_SIZE = col('resp_body_size');

/** stitchHttp's pairing, each row written straight from the frames' bytes into the table (frames handed back alike). */
export function stitchHttpInto(requests: HttpMessage[], responses: HttpMessage[], state: HttpState | undefined, out: RowWriter): StitchCounts {
  ROW_SINK.out = out;
  ROW_SINK.rows = 0;
  const errors = pair(requests, responses, state, writeRow);
  return { rows: ROW_SINK.rows, errors };
}

/** Where writeRow writes (one pairing at a time: no closure per call). */
const ROW_SINK: { out: RowWriter; rows: number } = { out: undefined!, rows: 0 };

function writeRow(req: HttpMessage, resp: HttpMessage): void {
  const out = ROW_SINK.out;
  out.num(TIME, resp.endNs);
  out.num(LATENCY, resp.endNs > req.startNs ? resp.endNs - req.startNs : 0);
  out.num(MAJOR, 1);
  out.num(MINOR, resp.minorVersion);
  out.num(CONTENT_TYPE, resp.contentType || req.contentType);
  out.str(REQ_METHOD, req.method);
  out.num(REQ_BODY_SIZE, req.bodySize);
  out.num(RESP_STATUS, resp.status);
  out.num(RESP_BODY_SIZE, resp.bodySize);
  // A frame's three texts lie side by side in raw: one call each frame where the writer takes them so.
  if (out.bytes3) {
    out.bytes3(REQ_PATH, REQ_HEADERS, REQ_BODY, req.raw, req.textStart, req.textEnd, req.headersEnd, req.bodyEnd, req.rawBase);
    out.bytes3(RESP_MESSAGE, RESP_HEADERS, RESP_BODY, resp.raw, resp.textStart, resp.textEnd, resp.headersEnd, resp.bodyEnd, resp.rawBase);
  } else {
    out.bytes(REQ_PATH, req.raw, req.textStart, req.textEnd, req.rawBase);
    out.bytes(REQ_HEADERS, req.raw, req.textEnd, req.headersEnd, req.rawBase);
    out.bytes(REQ_BODY, req.raw, req.headersEnd, req.bodyEnd, req.rawBase);
    out.bytes(RESP_MESSAGE, resp.raw, resp.textStart, resp.textEnd, resp.rawBase);
    out.bytes(RESP_HEADERS, resp.raw, resp.textEnd, resp.headersEnd, resp.rawBase);
    out.bytes(RESP_BODY, resp.raw, resp.headersEnd, resp.bodyEnd, resp.rawBase);
  }
  out.commit();
  ROW_SINK.rows++;
}
