import { HTTP_EVENTS, MessageType, type Decoder, type Frame, type ParseResult } from '@nixie/core';

/** A frame of the toy protocol: "[text]". */
export interface BracketFrame extends Frame {
  text: string;
}

/**
 * A toy decoder for stream tests: frames are "[...]"; anything else at the head is invalid.
 * Requests and responses pair in order; records carry both texts.
 */
export const bracketDecoder: Decoder<BracketFrame, { parses: number }> = {
  protocol: 'http',
  table: HTTP_EVENTS,
  createState: () => ({ parses: 0 }),
  findFrameBoundary(_type: MessageType, buf: Uint8Array, from: number): number {
    return buf.indexOf(0x5b, from);
  },
  parseFrame(_type: MessageType, buf: Uint8Array, state): ParseResult<BracketFrame> {
    state.parses++;
    if (buf[0] !== 0x5b) return { kind: 'invalid' };
    const close = buf.indexOf(0x5d);
    if (close < 0) return { kind: 'needs-more-data' };
    const text = Buffer.from(buf.subarray(1, close)).toString('latin1');
    if (text === 'eos') return { kind: 'eos' };
    if (text === '') return { kind: 'ignored', consumed: 2 };
    return { kind: 'success', frame: { startNs: 0, endNs: 0, text }, consumed: close + 1 };
  },
  stitch(requests, responses) {
    const records = [];
    while (requests.length && responses.length) {
      const q = requests.shift()!;
      const s = responses.shift()!;
      records.push({ time_: s.endNs, latency: s.endNs - q.startNs, req_path: q.text, resp_body: s.text, resp_status: 200 });
    }
    return { records, errors: 0 };
  },
};

export const REQ = MessageType.REQUEST;
export const RESP = MessageType.RESPONSE;
