import { DEFAULT_DECODER_LIMITS, DNS_EVENTS, MessageType, type Decoder, type DecoderLimits, type Frame, type ParseResult } from '@nixie/core';
import { HEADER_LEN, messageLength, parseMessage, plausibleHeader } from './message.js';
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

/** How messages are framed: one per call (UDP), 2-byte length prefixes (TCP), or UDP payloads seen as a stream. */
export type DnsFraming = 'datagram' | 'tcp' | 'udp-stream';

/** Per-connection state: how messages are framed on this socket. */
export interface DnsState {
  /** What the agent said: 'datagram' (UDP, one message per call) or 'stream' (or nothing: 'stream'). */
  readonly transport: 'stream' | 'datagram';
  /**
   * Framing per direction in stream mode, found from the first message: TCP's length prefix, or bare
   * UDP payloads (an agent that streams datagram sockets). undefined until known.
   */
  framing: [DnsFraming | undefined, DnsFraming | undefined];
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
  let framing = state.framing[type];
  if (framing === undefined) {
    const found = detectFraming(buf);
    if (found === 'wait') return NEEDS_MORE;
    if (found === undefined) return INVALID;
    framing = state.framing[type] = found;
  }
  if (framing === 'udp-stream') {
    const len = messageLength(buf, 0, buf.length);
    if (len === -1) return NEEDS_MORE;
    const f = len > 0 ? dnsFrame(type, buf, 0, len) : null;
    return f ? { kind: 'success', frame: f, consumed: len } : INVALID;
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

/**
 * TCP when a length prefix is followed by a whole message of exactly that length; bare UDP payloads
 * when a message starts the bytes; 'wait' when a TCP message may still be arriving.
 */
function detectFraming(buf: Uint8Array): DnsFraming | 'wait' | undefined {
  if (buf.length < TCP_PREFIX + HEADER_LEN) return 'wait';
  const len = (buf[0]! << 8) | buf[1]!;
  const tcpLike = len >= HEADER_LEN && plausibleHeader(buf, TCP_PREFIX);
  if (tcpLike && buf.length >= TCP_PREFIX + len && messageLength(buf, TCP_PREFIX, TCP_PREFIX + len) === len) return 'tcp';
  const bare = plausibleHeader(buf, 0) ? messageLength(buf, 0, buf.length) : -2;
  if (bare > 0) return 'udp-stream';
  return (tcpLike && buf.length < TCP_PREFIX + len) || bare === -1 ? 'wait' : undefined;
}

/** The next offset where a DNS message (TCP: its length prefix) plausibly starts. */
function findBoundary(buf: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + TCP_PREFIX + HEADER_LEN <= buf.length; i++) {
    const len = (buf[i]! << 8) | buf[i + 1]!;
    if (len >= HEADER_LEN && plausibleHeader(buf, i + TCP_PREFIX)) return i;
    if (plausibleHeader(buf, i) && messageLength(buf, i, buf.length) > 0) return i;
  }
  return -1;
}

/**
 * The DNS decoder, for UDP and TCP on one protocol id: it declares transport 'both', and the agent
 * tells each connection's framing to createState (datagram for UDP sockets). In stream mode it also
 * tells TCP's length prefixes from bare UDP payloads by the first message, so a UDP socket streamed
 * by an agent that does not pass the transport still decodes. Requests are matched to responses by
 * transaction id.
 */
export const dnsDecoder: Decoder<DnsFrame, DnsState> = {
  protocol: 'dns',
  table: DNS_EVENTS,
  transport: 'both',
  createState(limits: DecoderLimits = DEFAULT_DECODER_LIMITS, transport: 'stream' | 'datagram' = 'stream'): DnsState {
    return { transport, framing: [undefined, undefined], limits, newestNs: 0 };
  },
  findFrameBoundary: (_type, buf, from) => findBoundary(buf, from),
  parseFrame: parse,
  stitch: stitchDns,
};
