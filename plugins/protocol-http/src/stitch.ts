import type { DecodedRecord, StitchResult } from '@nixie/core';
import type { HttpMessage } from './types.js';

/**
 * HTTP/1 answers requests in order (pipelining included), so requests and responses pair first to first.
 * A response that ended before the oldest request began answers a request we never saw: it is dropped
 * and counted. Unanswered requests wait for the next call.
 */
export function stitchHttp(requests: HttpMessage[], responses: HttpMessage[]): StitchResult {
  const records: DecodedRecord[] = [];
  let errors = 0;
  let ri = 0;
  let si = 0;
  while (si < responses.length && ri < requests.length) {
    const resp = responses[si]!;
    const req = requests[ri]!;
    if (resp.endNs !== 0 && req.startNs > resp.endNs) {
      errors++;
      si++;
      continue;
    }
    records.push(toRecord(req, resp));
    ri++;
    si++;
  }
  if (ri > 0) requests.splice(0, ri);
  if (si > 0) responses.splice(0, si);
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
