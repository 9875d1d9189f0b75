import type { DecodedRecord, StitchResult } from '@nixie/core';
import { renderBody } from './body.js';
import { headersJson } from './headers-json.js';
import { headerValue, type HalfStream } from './half-stream.js';
import { UNDECODED_HEADER, type HeaderList } from './hpack.js';
import type { Http2Limits, Http2State } from './state.js';

/** Requests waiting for their response, most kept per connection (gRPC streams can be long). */
export const MAX_PENDING_REQUESTS = 1024;
/** Responses waiting for their request (it may end later, or was sent before capture began). */
export const MAX_PENDING_RESPONSES = 256;
/** A response unmatched for this long after newer traffic is dropped: its request was not captured. */
const RESPONSE_WAIT_NS = 30e9;

/** content_type column values (HTTP_EVENTS). */
const CONTENT_TYPE = Object.freeze({ UNKNOWN: 0, JSON: 1, GRPC: 2 } as const);

/** gRPC status code names (grpc/doc/statuscodes.md), for resp_message when grpc-message is empty. */
const GRPC_STATUS = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/** HTTP/2 error code names (RFC 9113 §7), for a reset stream's resp_message. */
const H2_ERRORS = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
  'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

/**
 * Pairs request and response half-streams by stream id (streams complete in any order). A request
 * reset by the client (RST_STREAM from its side) completes its request as a cancelled record.
 */
export function stitchHttp2(requests: HalfStream[], responses: HalfStream[], state: Http2State): StitchResult {
  const limits = state.limits;
  const records: DecodedRecord[] = [];
  let errors = 0;
  // A half-stream starts at its first HTTP/2 frame, not at the last one the agent timed.
  for (const r of responses) {
    if (r.firstNs > 0 && r.firstNs < r.startNs) r.startNs = r.firstNs;
    if (r.endNs > state.newestNs) state.newestNs = r.endNs;
  }
  for (const r of requests) {
    if (r.firstNs > 0 && r.firstNs < r.startNs) r.startNs = r.firstNs;
    if (r.endNs > state.newestNs) state.newestNs = r.endNs;
  }

  const byId = new Map<number, number>();
  for (let i = 0; i < responses.length; i++) if (!byId.has(responses[i]!.streamId)) byId.set(responses[i]!.streamId, i);
  const usedResp = new Uint8Array(responses.length);
  const keptReq: HalfStream[] = [];
  for (let i = 0; i < requests.length; i++) {
    const req = requests[i]!;
    if (req.resetCode >= 0) {
      // The client reset this stream: if its request already ended, it is pending below; else this is all we have.
      const prev = keptReq.findIndex((k) => k.streamId === req.streamId);
      const base = prev >= 0 ? keptReq.splice(prev, 1)[0]! : req;
      const j = byId.get(req.streamId);
      if (j !== undefined && !usedResp[j]) {
        usedResp[j] = 1;
        records.push(buildRecord(base, responses[j]!, limits));
      } else {
        records.push(buildRecord(base, undefined, limits, req.resetCode, req.endNs));
      }
      continue;
    }
    const j = byId.get(req.streamId);
    if (j === undefined || usedResp[j]) {
      keptReq.push(req);
      continue;
    }
    usedResp[j] = 1;
    records.push(buildRecord(req, responses[j]!, limits));
  }
  const keptResp: HalfStream[] = [];
  for (let j = 0; j < responses.length; j++) {
    if (usedResp[j]) continue;
    const r = responses[j]!;
    if (state.newestNs - r.endNs > RESPONSE_WAIT_NS) errors++;
    else keptResp.push(r);
  }
  while (keptReq.length > MAX_PENDING_REQUESTS) {
    keptReq.shift();
    errors++;
  }
  while (keptResp.length > MAX_PENDING_RESPONSES) {
    keptResp.shift();
    errors++;
  }
  requests.length = 0;
  requests.push(...keptReq);
  responses.length = 0;
  responses.push(...keptResp);
  return { records, errors };
}

function withMarker(h: HeaderList, undecoded: number): HeaderList {
  return undecoded > 0 ? [...h, UNDECODED_HEADER, String(undecoded)] : h;
}

function contentType(req: HalfStream, resp: HalfStream | undefined): number {
  if (req.grpc || resp?.grpc) return CONTENT_TYPE.GRPC;
  const ct = headerValue(resp?.headers ?? req.headers, 'content-type') ?? headerValue(req.headers, 'content-type');
  return ct !== undefined && ct.includes('json') ? CONTENT_TYPE.JSON : CONTENT_TYPE.UNKNOWN;
}

/** One http_events row from a request and its response (or the reset that ended it). */
function buildRecord(req: HalfStream, resp: HalfStream | undefined, limits: Http2Limits, resetCode = -1, resetNs = 0): DecodedRecord {
  const endNs = resp ? resp.endNs : resetNs;
  const statusText = resp ? (headerValue(resp.headers, ':status') ?? '') : '';
  const status = /^\d{3}$/.test(statusText) ? Number(statusText) : 0;
  const grpcStatus = resp ? (headerValue(resp.trailers, 'grpc-status') ?? headerValue(resp.headers, 'grpc-status')) : undefined;
  let message = '';
  const code = resp && resp.resetCode >= 0 ? resp.resetCode : resetCode;
  if (code >= 0) {
    message = `RST_STREAM ${H2_ERRORS[code] ?? String(code)}`;
  } else if (grpcStatus !== undefined) {
    const grpcMessage = resp ? (headerValue(resp.trailers, 'grpc-message') ?? headerValue(resp.headers, 'grpc-message')) : undefined;
    message = grpcMessage ? decodePercent(grpcMessage) : (GRPC_STATUS[Number(grpcStatus)] ?? grpcStatus);
  } else if (status !== 0) {
    message = REASON[status] ?? '';
  }
  return {
    time_: endNs,
    latency: Math.max(0, endNs - req.startNs),
    major_version: 2,
    minor_version: 0,
    content_type: contentType(req, resp),
    req_headers: headersJson(limits.headersLimit, withMarker(req.headers, req.undecoded), req.trailers),
    req_method: headerValue(req.headers, ':method') ?? '',
    req_path: headerValue(req.headers, ':path') ?? '',
    req_body: renderBody(req.body, req.bodyLen, req.messageStarts, req.grpc),
    req_body_size: req.bodySize,
    resp_headers: resp ? headersJson(limits.headersLimit, withMarker(resp.headers, resp.undecoded), resp.trailers) : '{}',
    resp_status: status,
    resp_message: message,
    resp_body: resp ? renderBody(resp.body, resp.bodyLen, resp.messageStarts, resp.grpc) : '',
    resp_body_size: resp ? resp.bodySize : 0,
  };
}

/** grpc-message is percent-encoded (gRPC over HTTP/2 spec); a bad escape leaves the text as sent. */
function decodePercent(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const REASON: Readonly<Record<number, string>> = Object.freeze({
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content', 301: 'Moved Permanently',
  302: 'Found', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request',
  401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
});
