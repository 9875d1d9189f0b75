import type { Decoder, Frame, UInt128 } from '@nixie/core';
import { startTimeTicks } from '@nixie/bpf';
import type { DataStream } from './data-stream.js';

/**
 * One connection, identified as the BPF side does: (pid, process start time, fd, generation).
 * Holds its two byte streams, the decoder's state and the frames waiting to be stitched.
 */
export class ConnTracker {
  /** Next tracker with the same generation (hash chain of ConnTable). */
  next: ConnTracker | undefined;
  /** Pixie's upid: high = pid, low = process start time in clock ticks since boot (/proc's, so tables join). */
  readonly upid: UInt128;
  role = 0;
  protocol = 0;
  family = 0;
  sockType = 0;
  localAddr = '';
  localPort = 0;
  remoteAddr = '';
  remotePort = 0;
  decoder: Decoder<Frame, unknown> | undefined;
  /** The decoder was looked up (attached or not). */
  decoderTried = false;
  state: unknown;
  /** Egress bytes (what this process wrote). */
  send: DataStream | undefined;
  /** Ingress bytes (what this process read). */
  recv: DataStream | undefined;
  readonly requests: Frame[] = [];
  readonly responses: Frame[] = [];
  /** Role policy verdict: undefined until the role is known. */
  traced: boolean | undefined;
  /** Switched off in user space: its bytes kept failing to parse, or its protocol is off. */
  off = false;
  /** invalid results since the last frame parsed. */
  failures = 0;
  /** Frames parsed on this connection. */
  frames = 0;
  /** Monotonic ns of the last event. */
  lastActivityNs = 0;
  closed = false;
  bytesSent = 0;
  bytesRecv = 0;
  /** Waits in the agent's to-process list. */
  dirty = false;
  /** conn_stats group key, cached; '' until computed. */
  statsKey = '';
  /**
   * An unconnected datagram socket (UDP server) talks to many peers: each peer named by a datagram gets its own
   * tracker (own decoder state, remote_addr/port from the datagram), keyed by address and port.
   */
  peers: Map<number | string, ConnTracker> | undefined;

  constructor(
    readonly pid: number,
    readonly startTimeNs: number,
    readonly fd: number,
    readonly generation: number,
  ) {
    this.upid = { high: pid, low: startTimeTicks(startTimeNs) };
  }

  /** The stream holding requests: what a server reads, what a client writes. */
  get requestStream(): DataStream | undefined {
    return this.role === 2 ? this.recv : this.send;
  }

  /** The stream holding responses. */
  get responseStream(): DataStream | undefined {
    return this.role === 2 ? this.send : this.recv;
  }

  /** Notes a byte total reported by the kernel; totals only grow. */
  noteTotals(sent: number, recv: number): void {
    if (sent > this.bytesSent) this.bytesSent = sent;
    if (recv > this.bytesRecv) this.bytesRecv = recv;
  }
}
