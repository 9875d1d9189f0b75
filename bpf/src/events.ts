/**
 * Accessors over raw events in a buffer: each reads one field of the event that starts at `off`.
 * No object per event: the hot path is `for (i) switch (eventKind(buf, offsets[i]))` and field reads.
 * Offsets are those of layout.ts (checked against socket_trace.h by a test).
 */
import { LAYOUT } from './layout.js';

/** Kinds of event (enum nixie_event_kind). */
export const EventKind = Object.freeze({
  CONN_OPEN: 1,
  CONN_CLOSE: 2,
  DATA: 3,
  CONN_STATS: 4,
  PROC_EXEC: 5,
  PROC_EXIT: 6,
} as const);
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Direction of data from the traced process's side (Pixie's kEgress = 0, kIngress = 1). */
export const Direction = Object.freeze({ EGRESS: 0, INGRESS: 1 } as const);
export type Direction = (typeof Direction)[keyof typeof Direction];

/** Trace role (1 client, 2 server), as Pixie's trace_role and @nixie/core's TraceRole. */
export const Role = Object.freeze({ UNKNOWN: 0, CLIENT: 1, SERVER: 2 } as const);
export type Role = (typeof Role)[keyof typeof Role];

/** Protocol ids inferred in BPF; numbers equal @nixie/core's PROTOCOL (Pixie's numbering). */
export const BpfProtocol = Object.freeze({ UNKNOWN: 0, HTTP: 1, HTTP2: 2, MYSQL: 3, PGSQL: 5, DNS: 6, REDIS: 7 } as const);
export type BpfProtocol = (typeof BpfProtocol)[keyof typeof BpfProtocol];

/** The syscall behind an event (enum nixie_syscall). */
export const Syscall = Object.freeze({
  UNKNOWN: 0,
  WRITE: 1,
  READ: 2,
  WRITEV: 3,
  READV: 4,
  SENDTO: 5,
  RECVFROM: 6,
  SENDMSG: 7,
  RECVMSG: 8,
  SENDMMSG: 9,
  RECVMMSG: 10,
  SENDFILE: 11,
  CONNECT: 12,
  ACCEPT: 13,
  ACCEPT4: 14,
  CLOSE: 15,
} as const);
export type Syscall = (typeof Syscall)[keyof typeof Syscall];

/** Header flags (NIXIE_FLAG_*). */
export const EventFlag = Object.freeze({ ROLE_INFERRED: 0x1, TRUNCATED: 0x2 } as const);

/** Address families carried in sockaddr fields. */
export const AF_INET = 2;
export const AF_INET6 = 10;

const H = LAYOUT.header.fields;
const O = LAYOUT.open.fields;
const C = LAYOUT.close.fields;
const D = LAYOUT.data.fields;
const PE = LAYOUT.procExec.fields;
const PX = LAYOUT.procExit.fields;

/**
 * Reads a u64 as a number (exact below 2^53; ns timestamps stay exact for 104 days of uptime). Byte by byte:
 * several per event on the hot path, and indexed loads beat two readUInt32LE calls by half.
 */
export function u64(buf: Buffer, off: number): number {
  const lo = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)) + buf[off + 3]! * 0x1000000;
  const hi = (buf[off + 4]! | (buf[off + 5]! << 8) | (buf[off + 6]! << 16)) + buf[off + 7]! * 0x1000000;
  return lo + hi * 4294967296;
}

/** Little-endian loads by index: Buffer#readUInt32LE and kin validate their offset through a wrapper that costs more than the load. */
function u32(buf: Buffer, off: number): number {
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)) + buf[off + 3]! * 0x1000000;
}
function i32(buf: Buffer, off: number): number {
  return buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24);
}
function u16(buf: Buffer, off: number): number {
  return buf[off]! | (buf[off + 1]! << 8);
}

// --- header (every event) ---
/** Event kind (EventKind). */
export const eventKind = (buf: Buffer, off: number): number => buf[off + H.kind.offset]!;
/** Protocol known when the event was sent (BpfProtocol). */
export const eventProtocol = (buf: Buffer, off: number): number => buf[off + H.protocol.offset]!;
/** Role known when the event was sent (Role). */
export const eventRole = (buf: Buffer, off: number): number => buf[off + H.role.offset]!;
/** Header flags (EventFlag bits). */
export const eventFlags = (buf: Buffer, off: number): number => buf[off + H.flags.offset]!;
/** CPU that produced the event. */
export const eventCpu = (buf: Buffer, off: number): number => u32(buf, off + H.cpu.offset);
/** CLOCK_MONOTONIC ns (same clock as process.hrtime.bigint()). */
export const eventTimestampNs = (buf: Buffer, off: number): number => u64(buf, off + H.timestamp_ns.offset);
/** Process id (tgid). */
export const eventPid = (buf: Buffer, off: number): number => u32(buf, off + H['conn.pid'].offset);
/** Process start time, ns since boot (start_boottime). */
export const eventStartTimeNs = (buf: Buffer, off: number): number => u64(buf, off + H['conn.start_time_ns'].offset);
/** Socket fd (-1 for process events). */
export const eventFd = (buf: Buffer, off: number): number => i32(buf, off + H['conn.fd'].offset);
/** Connection generation: distinguishes reuses of one fd number. */
export const eventGeneration = (buf: Buffer, off: number): number => u64(buf, off + H['conn.generation'].offset);

// --- open ---
/** Local address family (open event). */
export const openLocalFamily = (buf: Buffer, off: number): number => u16(buf, off + O['local.family'].offset);
/** Local port, host order (open event). */
export const openLocalPort = (buf: Buffer, off: number): number => u16(buf, off + O['local.port'].offset);
/** Remote address family (open event). */
export const openRemoteFamily = (buf: Buffer, off: number): number => u16(buf, off + O['remote.family'].offset);
/** Remote port, host order (open event). */
export const openRemotePort = (buf: Buffer, off: number): number => u16(buf, off + O['remote.port'].offset);
/** Local address as text (allocates: not for the hot path). */
export const openLocalAddr = (buf: Buffer, off: number): string =>
  formatAddr(buf, off + O['local.addr'].offset, openLocalFamily(buf, off));
/** Remote address as text (allocates: not for the hot path). */
export const openRemoteAddr = (buf: Buffer, off: number): string =>
  formatAddr(buf, off + O['remote.addr'].offset, openRemoteFamily(buf, off));
/** SOCK_STREAM (1) or SOCK_DGRAM (2). */
export const openSockType = (buf: Buffer, off: number): number => u16(buf, off + O.sock_type.offset);
/** Syscall that opened (or first showed) the connection. */
export const openSyscall = (buf: Buffer, off: number): number => buf[off + O.syscall.offset]!;

// --- close and stats (same layout) ---
/** Total bytes sent (close and stats events). */
export const closeBytesSent = (buf: Buffer, off: number): number => u64(buf, off + C.bytes_sent.offset);
/** Total bytes received (close and stats events). */
export const closeBytesRecv = (buf: Buffer, off: number): number => u64(buf, off + C.bytes_recv.offset);
/** Total bytes sent (stats event). */
export const statsBytesSent = closeBytesSent;
/** Total bytes received (stats event). */
export const statsBytesRecv = closeBytesRecv;

// --- data ---
/** Stream position of the first byte of data[] in this direction. */
export const dataPos = (buf: Buffer, off: number): number => u64(buf, off + D.pos.offset);
/** Bytes of the whole message this chunk belongs to. */
export const dataMsgSize = (buf: Buffer, off: number): number => u32(buf, off + D.msg_size.offset);
/** Bytes carried in this event. */
export const dataLen = (buf: Buffer, off: number): number => u32(buf, off + D.data_len.offset);
/** Offset of this chunk within its message. */
export const dataChunkOffset = (buf: Buffer, off: number): number => u32(buf, off + D.chunk_offset.offset);
/** Direction (Direction). */
export const dataDirection = (buf: Buffer, off: number): number => buf[off + D.direction.offset]!;
/** Syscall (Syscall). */
export const dataSyscall = (buf: Buffer, off: number): number => buf[off + D.syscall.offset]!;
/** Family of the peer named by the syscall (0 if none). */
export const dataRemoteFamily = (buf: Buffer, off: number): number => u16(buf, off + D['remote.family'].offset);
/** Port of the peer named by the syscall. */
export const dataRemotePort = (buf: Buffer, off: number): number => u16(buf, off + D['remote.port'].offset);
/** Address of the peer named by the syscall, as text (allocates). */
export const dataRemoteAddr = (buf: Buffer, off: number): string =>
  formatAddr(buf, off + D['remote.addr'].offset, dataRemoteFamily(buf, off));
/** Offset in `buf` of the first payload byte. */
export const dataBytesOffset = (off: number): number => off + D.data.offset;
/** The payload as a view (no copy; valid only during the batch callback). */
export const dataBytes = (buf: Buffer, off: number): Buffer =>
  buf.subarray(off + D.data.offset, off + D.data.offset + dataLen(buf, off));

// --- by 32-bit word (the agent's hot path) ---
/**
 * A batch's events read a 32-bit word at a time: one load per u32 field instead of four byte loads. `eventWords`
 * gives the view when the buffer starts 4-byte aligned (libbpf's ring and EventWriter align events to 8); the
 * `w*` accessors take it and the event's word index (offset / 4): the caller checks the offset is a multiple of 4.
 */
export function eventWords(buf: Buffer): Int32Array | undefined {
  return (buf.byteOffset & 3) === 0 ? new Int32Array(buf.buffer, buf.byteOffset, buf.length >>> 2) : undefined;
}

function wordOf(offset: number): number {
  if ((offset & 3) !== 0) throw new Error(`layout: field at ${offset} is not word aligned`);
  return offset >>> 2;
}
const W_TS = wordOf(H.timestamp_ns.offset);
const W_START = wordOf(H['conn.start_time_ns'].offset);
const W_PID = wordOf(H['conn.pid'].offset);
const W_FD = wordOf(H['conn.fd'].offset);
const W_GEN = wordOf(H['conn.generation'].offset);
const W_POS = wordOf(D.pos.offset);
const W_LEN = wordOf(D.data_len.offset);

/** A u64 from its two words (exact below 2^53). */
function wU64(w: Int32Array, i: number): number {
  return (w[i]! >>> 0) + (w[i + 1]! >>> 0) * 4294967296;
}
/** eventTimestampNs by word. */
export const wTimestampNs = (w: Int32Array, i: number): number => wU64(w, i + W_TS);
/** eventStartTimeNs by word. */
export const wStartTimeNs = (w: Int32Array, i: number): number => wU64(w, i + W_START);
/** eventPid by word. */
export const wPid = (w: Int32Array, i: number): number => w[i + W_PID]! >>> 0;
/** eventFd by word. */
export const wFd = (w: Int32Array, i: number): number => w[i + W_FD]!;
/** eventGeneration by word. */
export const wGeneration = (w: Int32Array, i: number): number => wU64(w, i + W_GEN);
/** dataPos by word. */
export const wDataPos = (w: Int32Array, i: number): number => wU64(w, i + W_POS);
/** dataLen by word. */
export const wDataLen = (w: Int32Array, i: number): number => w[i + W_LEN]! >>> 0;

// --- process events ---
/** Parent pid (exec event). */
export const execPpid = (buf: Buffer, off: number): number => u32(buf, off + PE.ppid.offset);
/** Command name (exec event; allocates). */
export function execComm(buf: Buffer, off: number): string {
  const start = off + PE.comm.offset;
  let end = start;
  while (end < start + PE.comm.size && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}
/** Exit code (exit event): status << 8 | signal. */
export const exitCode = (buf: Buffer, off: number): number => u32(buf, off + PX.exit_code.offset);

/** Formats an address of `family` stored at buf[off..off+16) (network order). */
export function formatAddr(buf: Buffer, off: number, family: number): string {
  if (family === AF_INET) return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  if (family === AF_INET6) {
    // IPv4-mapped (::ffff:a.b.c.d) is how dual-stack sockets show IPv4 peers.
    let mapped = buf[off + 10] === 0xff && buf[off + 11] === 0xff;
    for (let i = 0; i < 10 && mapped; i++) if (buf[off + i] !== 0) mapped = false;
    if (mapped) return `::ffff:${buf[off + 12]}.${buf[off + 13]}.${buf[off + 14]}.${buf[off + 15]}`;
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(buf.readUInt16BE(off + i).toString(16));
    return compressV6(groups);
  }
  return '';
}

function compressV6(groups: string[]): string {
  // Longest run of zero groups (length ≥ 2) becomes "::", as RFC 5952 says.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Process start time in clock ticks (USER_HZ = 100), as /proc/<pid>/stat field 22 and Pixie's upid hold it. */
export const startTimeTicks = (startTimeNs: number): number => Math.floor(startTimeNs / 10_000_000);
