import type { DecodedRecord, StitchResult } from '@nixie/core';
import type { DnsFrame, DnsState } from './decoder.js';

/** Requests waiting for an answer, most kept per connection. */
export const MAX_PENDING_REQUESTS = 1024;
/** A request unanswered this long after newer traffic is dropped (resolvers give up after ~5 s). */
const REQUEST_WAIT_NS = 30e9;
/** Stitch calls a response waits for its request (the agent may parse the two directions in separate rounds). */
const RESPONSE_WAIT_ROUNDS = 2;

/** Pairs each response with the oldest waiting request that has its transaction id. */
export function stitchDns(requests: DnsFrame[], responses: DnsFrame[], state: DnsState): StitchResult {
  const records: DecodedRecord[] = [];
  let errors = 0;
  for (const f of requests) if (f.endNs > state.newestNs) state.newestNs = f.endNs;
  for (const f of responses) if (f.endNs > state.newestNs) state.newestNs = f.endNs;
  const taken = new Uint8Array(requests.length);
  const keptResp: DnsFrame[] = [];
  for (const resp of responses) {
    let match = -1;
    for (let i = 0; i < requests.length; i++) {
      if (!taken[i] && requests[i]!.txid === resp.txid) {
        match = i;
        break;
      }
    }
    if (match < 0) {
      if (++resp.waited >= RESPONSE_WAIT_ROUNDS) errors++;
      else keptResp.push(resp);
      continue;
    }
    taken[match] = 1;
    const req = requests[match]!;
    records.push({
      time_: resp.endNs,
      latency: Math.max(0, resp.endNs - req.startNs),
      req_header: req.header,
      req_body: req.body,
      resp_header: resp.header,
      resp_body: resp.body,
    });
  }
  const keptReq: DnsFrame[] = [];
  for (let i = 0; i < requests.length; i++) {
    if (taken[i]) continue;
    const r = requests[i]!;
    if (state.newestNs - r.endNs > REQUEST_WAIT_NS) errors++;
    else keptReq.push(r);
  }
  while (keptReq.length > MAX_PENDING_REQUESTS) {
    keptReq.shift();
    errors++;
  }
  requests.length = 0;
  requests.push(...keptReq);
  responses.length = 0;
  responses.push(...keptResp);
  return { records, errors };
}
