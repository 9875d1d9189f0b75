/** DNS message parsing (RFC 1035 §4.1): header, questions and answers, over one message's bytes. */

/** Fixed header length. */
export const HEADER_LEN = 12;
/** Most questions / answers kept per message; more are counted in the header but not listed. */
export const MAX_QUESTIONS = 16;
export const MAX_ANSWERS = 64;
/** Most compression pointers followed in one name: a loop or an absurd chain stops here. */
const MAX_POINTER_JUMPS = 32;
/** A name longer than this (RFC 1035 §3.1: 255 octets) is malformed. */
const MAX_NAME_LEN = 255;

/** Resource record types by number (IANA DNS parameters), for the "type" fields. */
const TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV',
  35: 'NAPTR', 39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 52: 'TLSA',
  64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
});

/** Name of a record type, or TYPE<n> (RFC 3597's form) for one we do not know. */
export function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `TYPE${t}`;
}

/** The header fields in Pixie's dns_events JSON form. */
export interface DnsHeader {
  txid: number;
  qr: number;
  opcode: number;
  aa: number;
  tc: number;
  rd: number;
  ra: number;
  ad: number;
  cd: number;
  rcode: number;
  num_queries: number;
  num_answers: number;
  num_auth: number;
  num_addl: number;
}

export interface DnsQuery {
  name: string;
  type: string;
}

/** An answer: A/AAAA carry `addr`, CNAME carries `cname`, NS/PTR carry `name` of the target as `target`. */
export interface DnsAnswer {
  name: string;
  type: string;
  addr?: string;
  cname?: string;
  target?: string;
}

export interface DnsMessage {
  header: DnsHeader;
  queries: DnsQuery[];
  answers: DnsAnswer[];
}

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;

/** Reads the header at buf[off]; the caller checks 12 bytes are there. */
export function parseHeader(buf: Uint8Array, off: number): DnsHeader {
  const flags = u16(buf, off + 2);
  return {
    txid: u16(buf, off),
    qr: (flags >> 15) & 1,
    opcode: (flags >> 11) & 0xf,
    aa: (flags >> 10) & 1,
    tc: (flags >> 9) & 1,
    rd: (flags >> 8) & 1,
    ra: (flags >> 7) & 1,
    ad: (flags >> 5) & 1,
    cd: (flags >> 4) & 1,
    rcode: flags & 0xf,
    num_queries: u16(buf, off + 4),
    num_answers: u16(buf, off + 6),
    num_auth: u16(buf, off + 8),
    num_addl: u16(buf, off + 10),
  };
}

/**
 * Whether a header at `off` looks like one a resolver or server sends: a standard opcode (query,
 * notify, update) and counts a real message has. Used to resync TCP streams and to reject noise.
 */
export function plausibleHeader(buf: Uint8Array, off: number): boolean {
  if (off + HEADER_LEN > buf.length) return false;
  const opcode = (buf[off + 2]! >> 3) & 0xf;
  if (opcode !== 0 && opcode !== 2 && opcode !== 4 && opcode !== 5) return false;
  if (buf[off + 2]! & 0x80) return u16(buf, off + 4) <= 1; // responses echo at most one question
  return u16(buf, off + 4) >= 1 && u16(buf, off + 4) <= MAX_QUESTIONS && u16(buf, off + 6) === 0;
}

/** Reads domain names with compression; `pos` is where the caller's cursor lands after a name. */
class NameReader {
  pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly start: number, private readonly end: number) {}

  /** The name at `at` (absolute), or null when malformed (truncated, a pointer loop, too long). */
  read(at: number): string | null {
    let p = at;
    let jumped = false;
    let jumps = 0;
    let len = 0;
    let out = '';
    // Pointers must go strictly backwards from the lowest offset visited: loops cannot form.
    let floor = at;
    while (true) {
      if (p >= this.end) return null;
      const b = this.buf[p]!;
      if (b === 0) {
        if (!jumped) this.pos = p + 1;
        return out === '' ? '.' : out;
      }
      const kind = b & 0xc0;
      if (kind === 0xc0) {
        if (p + 1 >= this.end) return null;
        const target = this.start + (((b & 0x3f) << 8) | this.buf[p + 1]!);
        if (!jumped) this.pos = p + 2;
        jumped = true;
        if (++jumps > MAX_POINTER_JUMPS || target >= floor) return null;
        floor = target;
        p = target;
        continue;
      }
      if (kind !== 0) return null; // 0x40 and 0x80 label types are obsolete or unassigned
      if (p + 1 + b > this.end) return null;
      len += b + 1;
      if (len > MAX_NAME_LEN) return null;
      if (out !== '') out += '.';
      out += label(this.buf, p + 1, p + 1 + b);
      p += 1 + b;
    }
  }
}

/** A label as text: printable ASCII kept, '.' and '\' escaped, other octets as \DDD (dig's form). */
function label(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

function ipv4(buf: Uint8Array, o: number): string {
  return `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
}

/** IPv6 text in RFC 5952 form (lower case, longest zero run compressed). */
export function ipv6(buf: Uint8Array, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(u16(buf, o + 2 * i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/**
 * Parses one DNS message occupying buf[start, end). Returns null when it is malformed: shorter than
 * its header, a truncated or looping name, a record running past the end.
 */
export function parseMessage(buf: Uint8Array, start: number, end: number): DnsMessage | null {
  if (end - start < HEADER_LEN) return null;
  const header = parseHeader(buf, start);
  const names = new NameReader(buf, start, end);
  let p = start + HEADER_LEN;
  const queries: DnsQuery[] = [];
  for (let i = 0; i < header.num_queries; i++) {
    const name = names.read(p);
    if (name === null) return null;
    p = names.pos;
    if (p + 4 > end) return null;
    if (queries.length < MAX_QUESTIONS) queries.push({ name, type: typeName(u16(buf, p)) });
    p += 4;
  }
  const answers: DnsAnswer[] = [];
  for (let i = 0; i < header.num_answers; i++) {
    const name = names.read(p);
    if (name === null) return null;
    p = names.pos;
    if (p + 10 > end) return null;
    const type = u16(buf, p);
    const rdlen = u16(buf, p + 8);
    const rdata = p + 10;
    if (rdata + rdlen > end) return null;
    p = rdata + rdlen;
    if (answers.length >= MAX_ANSWERS) continue;
    const a: DnsAnswer = { name, type: typeName(type) };
    if (type === 1 && rdlen === 4) a.addr = ipv4(buf, rdata);
    else if (type === 28 && rdlen === 16) a.addr = ipv6(buf, rdata);
    else if (type === 5 || type === 2 || type === 12) {
      const target = names.read(rdata);
      if (target !== null) {
        if (type === 5) a.cname = target;
        else a.target = target;
      }
    }
    answers.push(a);
  }
  // Authority and additional records are counted in the header; their contents are not shown.
  return { header, queries, answers };
}

/** Position after the name at `p` without decoding it; -1 if the bytes end first, -2 if malformed. */
function skipName(buf: Uint8Array, p: number, end: number): number {
  let len = 0;
  while (p < end) {
    const b = buf[p]!;
    if (b === 0) return p + 1;
    if ((b & 0xc0) === 0xc0) return p + 2 <= end ? p + 2 : -1;
    if (b & 0xc0) return -2;
    len += b + 1;
    if (len > MAX_NAME_LEN) return -2;
    p += 1 + b;
  }
  return -1;
}

/**
 * Length of the whole DNS message at buf[start] (every section walked), for messages that carry no
 * length of their own (UDP payloads seen as a byte stream). -1 if the bytes end first, -2 if malformed.
 */
export function messageLength(buf: Uint8Array, start: number, end: number): number {
  if (end - start < HEADER_LEN) return -1;
  const h = parseHeader(buf, start);
  let p = start + HEADER_LEN;
  for (let i = 0; i < h.num_queries; i++) {
    p = skipName(buf, p, end);
    if (p < 0) return p;
    p += 4;
  }
  const records = h.num_answers + h.num_auth + h.num_addl;
  for (let i = 0; i < records; i++) {
    p = skipName(buf, p, end);
    if (p < 0) return p;
    if (p + 10 > end) return -1;
    p += 10 + u16(buf, p + 8);
  }
  return p <= end ? p - start : -1;
}
