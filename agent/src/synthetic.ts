import { isIPv4 } from 'node:net';
import { AF_INET, AF_INET6, DATA_HEADER_SIZE, EventKind, LAYOUT } from '@nixie/bpf';

/** A connection as the synthetic events name it. */
export interface SyntheticConn {
  pid: number;
  startTimeNs: number;
  fd: number;
  generation: number;
  protocol: number;
  role: number;
}

const H = LAYOUT.header.fields;
const O = LAYOUT.open.fields;
const C = LAYOUT.close.fields;
const D = LAYOUT.data.fields;

/**
 * Writes events in the exact layout of bpf/include/socket_trace.h into one buffer, as the ring buffer
 * would hold them: for unit tests and the replay benchmark (no kernel needed). 8-byte aligned, as libbpf's ring.
 */
export class EventWriter {
  buf: Buffer;
  offsets: Uint32Array;
  count = 0;
  private used = 0;

  constructor(capacity = 1 << 20) {
    this.buf = Buffer.alloc(capacity);
    this.offsets = new Uint32Array(1024);
  }

  /** The events written so far, as a batch. */
  batch(): { buf: Buffer; offsets: Uint32Array; count: number } {
    return { buf: this.buf, offsets: this.offsets, count: this.count };
  }

  /** Starts over (keeps the memory). */
  reset(): void {
    this.count = 0;
    this.used = 0;
  }

  private begin(kind: number, size: number, c: SyntheticConn, tsNs: number): number {
    const need = this.used + size + 8;
    if (need > this.buf.length) {
      const next = Buffer.alloc(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    if (this.count === this.offsets.length) {
      const o = new Uint32Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
    }
    const off = this.used;
    this.buf.fill(0, off, off + size);
    this.offsets[this.count++] = off;
    this.used = (off + size + 7) & ~7;
    const b = this.buf;
    b[off + H.kind.offset] = kind;
    b[off + H.protocol.offset] = c.protocol;
    b[off + H.role.offset] = c.role;
    writeU64(b, off + H.timestamp_ns.offset, tsNs);
    writeU64(b, off + H['conn.start_time_ns'].offset, c.startTimeNs);
    b.writeUInt32LE(c.pid, off + H['conn.pid'].offset);
    b.writeInt32LE(c.fd, off + H['conn.fd'].offset);
    writeU64(b, off + H['conn.generation'].offset, c.generation);
    return off;
  }

  /** A CONN_OPEN event. */
  open(c: SyntheticConn, tsNs: number, local: [string, number], remote: [string, number], sockType = 1): void {
    const off = this.begin(EventKind.CONN_OPEN, LAYOUT.open.size, c, tsNs);
    writeAddr(this.buf, off + O['local.family'].offset, local[0], local[1]);
    writeAddr(this.buf, off + O['remote.family'].offset, remote[0], remote[1]);
    this.buf.writeUInt16LE(sockType, off + O.sock_type.offset);
  }

  /** A DATA event carrying `bytes` at stream position `pos` (direction 0 egress, 1 ingress); `peer` as sendto/recvfrom name it. */
  data(c: SyntheticConn, tsNs: number, direction: number, pos: number, bytes: Uint8Array, peer?: [string, number]): void {
    const off = this.begin(EventKind.DATA, DATA_HEADER_SIZE + bytes.length, c, tsNs);
    writeU64(this.buf, off + D.pos.offset, pos);
    this.buf.writeUInt32LE(bytes.length, off + D.msg_size.offset);
    this.buf.writeUInt32LE(bytes.length, off + D.data_len.offset);
    this.buf[off + D.direction.offset] = direction;
    this.buf.set(bytes, off + D.data.offset);
    if (peer) writeAddr(this.buf, off + D['remote.family'].offset, peer[0], peer[1]);
  }

  /** A CONN_CLOSE (or, with kind CONN_STATS, a stats) event with byte totals. */
  close(c: SyntheticConn, tsNs: number, sent: number, recv: number, kind: number = EventKind.CONN_CLOSE): void {
    const off = this.begin(kind, LAYOUT.close.size, c, tsNs);
    writeU64(this.buf, off + C.bytes_sent.offset, sent);
    writeU64(this.buf, off + C.bytes_recv.offset, recv);
  }
}

function writeU64(b: Buffer, off: number, v: number): void {
  b.writeUInt32LE(v % 4294967296 >>> 0, off);
  b.writeUInt32LE(Math.floor(v / 4294967296) >>> 0, off + 4);
}

function writeAddr(b: Buffer, off: number, addr: string, port: number): void {
  b.writeUInt16LE(isIPv4(addr) ? AF_INET : AF_INET6, off);
  b.writeUInt16LE(port, off + 2);
  if (isIPv4(addr)) {
    const parts = addr.split('.').map(Number);
    for (let i = 0; i < 4; i++) b[off + 4 + i] = parts[i]!;
  } else if (addr === '::1') {
    b[off + 4 + 15] = 1;
  }
}
