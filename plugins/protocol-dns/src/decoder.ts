import { DEFAULT_DECODER_LIMITS, DNS_EVENTS, MessageType, type Decoder, type DecoderLimits, type Frame, type ParseResult } from '@nixie/core';
import { HEADER_LEN, parseMessage, plausibleHeader } from './message.js';
import { stitchDns } from './stitch.js';

/** One DNS message, with its JSON already rendered (Pixie's dns_events form). */
export interface DnsFrame extends Frame {
  readonly txid: number;
  /** 1 for a response (the header's QR bit). */
  readonly qr: number;
  /** {"txid":..,"qr":..,...,"num_addl":..} */
  readonly header: string;
  /** Requests: {"queries":[...]}; responses: {"answers":[...]}. */
  readonly body: string;
  /** stitch calls this response waited for its request. */
  waited: number;
}

/** Per-connection state: how messages are framed on this socket. */
export interface DnsState {
  /** 'datagram': one message per parseFrame call (UDP); 'stream': 2-byte length prefixes (TCP). */
  readonly transport: 'stream' | 'datagram';
  readonly limits: DecoderLimits;
  /** Newest frame time stitch has seen, to age out requests that got no answer. */
  newestNs: number;
}

const NEEDS_MORE: ParseResult<DnsFrame> = Object.freeze({ kind: 'needs-more-data' });
const INVALID: ParseResult<DnsFrame> = Object.freeze({ kind: 'invalid' });
/** TCP messages carry a 2-byte length (RFC 1035 §4.2.2). */
const TCP_PREFIX = 2;

/** Decodes one message at buf[start, end) into a frame; null when it is not a DNS message. */
export function dnsFrame(type: MessageType, buf: Uint8Array, start: number, end: number): DnsFrame | null {
  const m = parseMessage(buf, start, end);
  if (!m) return null;
  // The QR bit must agree with the direction, else this is not the DNS we think it is.
  if (m.header.qr !== (type === MessageType.RESPONSE ? 1 : 0)) return null;
  const body = m.header.qr ? JSON.stringify({ answers: m.answers }) : JSON.stringify({ queries: m.queries });
  return { startNs: 0, endNs: 0, txid: m.header.txid, qr: m.header.qr, header: JSON.stringify(m.header), body, waited: 0 };
}

function parse(type: MessageType, buf: Uint8Array, state: DnsState): ParseResult<DnsFrame> {
  if (state.transport === 'datagram') {
    const f = dnsFrame(type, buf, 0, buf.length);
    return f ? { kind: 'success', frame: f, consumed: buf.length } : INVALID;
  }
  if (buf.length < TCP_PREFIX) return NEEDS_MORE;
  const len = (buf[0]! << 8) | buf[1]!;
  if (len < HEADER_LEN) return INVALID;
  if (buf.length < TCP_PREFIX + HEADER_LEN) return NEEDS_MORE;
  if (!plausibleHeader(buf, TCP_PREFIX)) return INVALID;
  if (buf.length < TCP_PREFIX + len) return NEEDS_MORE;
  const f = dnsFrame(type, buf, TCP_PREFIX, TCP_PREFIX + len);
  return f ? { kind: 'success', frame: f, consumed: TCP_PREFIX + len } : INVALID;
}

/** TCP: the next offset whose length prefix and header look like a DNS message. Datagrams have no boundaries to find. */
function findBoundary(buf: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + TCP_PREFIX + HEADER_LEN <= buf.length; i++) {
    const len = (buf[i]! << 8) | buf[i + 1]!;
    if (len >= HEADER_LEN && plausibleHeader(buf, i + TCP_PREFIX)) return i;
  }
  return -1;
}

/**
 * The DNS decoder, for UDP and TCP on one protocol id: it declares transport 'both', and the agent
 * tells each connection's framing to createState (datagram for UDP sockets). Requests are matched
 * to responses by transaction id.
 */
export const dnsDecoder: Decoder<DnsFrame, DnsState> = {
  protocol: 'dns',
  table: DNS_EVENTS,
  transport: 'both',
  createState(limits: DecoderLimits = DEFAULT_DECODER_LIMITS, transport: 'stream' | 'datagram' = 'stream'): DnsState {
    return { transport, limits, newestNs: 0 };
  },
  findFrameBoundary: (_type, buf, from) => findBoundary(buf, from),
  parseFrame: parse,
  stitch: stitchDns,
};
