import {
  byteHeap, DEFAULT_DECODER_LIMITS, MessageType, protocolName, type Decoder, type DecoderLimits, type Frame, type PluginHost,
} from '@nixie/core';
import {
  closeBytesRecv, closeBytesSent, dataBytesOffset, dataDirection, dataLen, dataPos, dataRemoteAddr, dataRemoteFamily,
  dataRemotePort, Direction, eventFd, eventGeneration, eventKind, eventPid, eventProtocol, eventRole, eventStartTimeNs,
  eventTimestampNs, EventKind, execPpid, LAYOUT, openLocalAddr, openLocalFamily, openLocalPort, openRemoteAddr, openRemoteFamily, openRemotePort,
  openSockType, eventWords, wDataLen, wDataPos, wFd, wGeneration, wPid, wStartTimeNs, wTimestampNs,
} from '@nixie/bpf';
import { ConnTable } from './conn/conn-table.js';
import { ConnTracker } from './conn/conn-tracker.js';
import { DataStream, DEFAULT_STREAM_OPTIONS, type DataStreamOptions } from './conn/data-stream.js';
import type { ConnStats } from './conn-stats.js';
import type { RecordWriter } from './record-writer.js';
import type { RolePolicy } from './role-policy.js';

const heap = byteHeap();
/** A pipeline is gone: its batch staging block goes back to the heap. */
const pipelineGone = new FinalizationRegistry<{ block: Buffer }>((s) => heap.release(s.block));

/** A batch of raw events, as @nixie/bpf's SocketTracer hands them over. */
export interface RawBatch {
  readonly buf: Buffer;
  readonly offsets: Uint32Array;
  readonly count: number;
}

export interface PipelineOptions {
  readonly host: PluginHost;
  readonly writer: RecordWriter;
  readonly connStats: ConnStats;
  readonly policy: RolePolicy;
  /** Protocols switched on (agent.protocols); others are not decoded. */
  readonly protocols: Readonly<Partial<Record<string, boolean>>>;
  readonly limits?: DecoderLimits;
  readonly stream?: Partial<DataStreamOptions>;
  /** ns to add to an event's monotonic timestamp to get epoch ns. */
  readonly clockOffsetNs: number;
  /** Connections idle this long (ns) are forgotten. */
  readonly idleNs: number;
  /** invalid results in a row, with no frame parsed since, after which a connection's decoding is switched off. */
  readonly maxFailures?: number;
  /** Called for PROC_EXEC events (pid, ppid): the agent follows children of filtered pids. */
  readonly onExec?: (pid: number, ppid: number) => void;
}

/** Counters for the agent's health report. */
export interface PipelineCounters {
  eventsIn: number;
  dataEvents: number;
  decodeErrors: number;
  stitchErrors: number;
  connectionsOff: number;
  pluginErrors: number;
  trackersExpired: number;
  framesDropped: number;
}

/** Socket type of datagram sockets (UDP). */
const SOCK_DGRAM = 2;

/** Peers of one unconnected datagram socket tracked at most; beyond, the oldest is decoded and forgotten. */
const MAX_PEERS = 1024;
const AF_INET = 2;
const DATA_REMOTE_ADDR = LAYOUT.data.fields['remote.addr'].offset;

/** Bytes of a batch staged in the byte heap at most (a ring buffer's worth of small events is far less). */
const STAGE_MAX = 8 * 1024 * 1024;
/** Longer than any event but DATA (their layouts are 40-88 bytes). */
const MAX_CONTROL_EVENT = 256;

/** Closed connections' streams kept for new ones at most (each keeps a 4 KiB block of the byte heap). */
const MAX_POOLED_STREAMS = 256;

/** Frames waiting for their partner at most, per direction: bounded memory when one side is lost. */
const MAX_WAITING_FRAMES = 1024;

/**
 * The data path: raw BPF events -> ConnTrackers and DataStreams -> decoder plugins -> records in the
 * TableStore. No object per event: fields are read in place with @nixie/bpf's accessors.
 */
export class Pipeline {
  readonly conns = new ConnTable();
  readonly counters: PipelineCounters = {
    eventsIn: 0, dataEvents: 0, decodeErrors: 0, stitchErrors: 0, connectionsOff: 0, pluginErrors: 0, trackersExpired: 0, framesDropped: 0,
  };
  private readonly dirty: ConnTracker[] = [];
  /** Streams of closed connections, reset, for the next ones (stream mode only). */
  private readonly streamPool: DataStream[] = [];
  /** The current batch's data bytes from buf[batchLo] on, in the byte heap at batchBase (-1: not staged). */
  private readonly staged = { block: heap.alloc(64 * 1024) };
  private batchBase = -1;
  private batchLo = 0;
  private batchHi = 0;
  /** The batch read by 32-bit word (undefined: the buffer is not word aligned, read by byte). */
  private words: Int32Array | undefined;
  private readonly streamOpts: DataStreamOptions;
  private readonly datagramOpts: DataStreamOptions;
  private readonly limits: DecoderLimits;
  private readonly maxFailures: number;
  private readonly decoders = new Map<number, Decoder<Frame, unknown>>();
  /** Protocols whose decoder parses datagrams: only those split a datagram socket by peer (stream ones need positions). */
  private readonly datagramProtocols = new Set<number>();

  constructor(private readonly o: PipelineOptions) {
    pipelineGone.register(this, this.staged);
    this.limits = o.limits ?? DEFAULT_DECODER_LIMITS;
    this.streamOpts = { ...DEFAULT_STREAM_OPTIONS, ...o.stream, datagram: false };
    this.datagramOpts = { ...this.streamOpts, datagram: true };
    this.maxFailures = o.maxFailures ?? 5;
    for (const [name, d] of o.host.decoders) {
      if (o.protocols[name] === false) continue;
      const id = protocolId(name);
      if (id > 0) this.decoders.set(id, d as Decoder<Frame, unknown>);
      if (id > 0 && (d.transport === 'datagram' || d.transport === 'both')) this.datagramProtocols.add(id);
    }
  }

  /** Handles a batch of events, then decodes every connection that got bytes. */
  handleBatch(batch: RawBatch): void {
    const { buf, offsets, count } = batch;
    this.counters.eventsIn += count;
    this.stageBatch(buf, offsets, count);
    this.words = eventWords(buf);
    for (let i = 0; i < count; i++) {
      const off = offsets[i]!;
      switch (eventKind(buf, off)) {
        case EventKind.DATA:
          this.onData(buf, off);
          break;
        case EventKind.CONN_OPEN:
          this.onOpen(buf, off);
          break;
        case EventKind.CONN_CLOSE:
          this.onClose(buf, off);
          break;
        case EventKind.CONN_STATS: {
          const t = this.tracker(buf, off);
          t.noteTotals(closeBytesSent(buf, off), closeBytesRecv(buf, off));
          break;
        }
        case EventKind.PROC_EXEC:
          this.o.onExec?.(eventPid(buf, off), execPpid(buf, off));
          break;
        case EventKind.PROC_EXIT:
          this.onExit(eventPid(buf, off));
          break;
        default:
          break;
      }
    }
    this.processDirty();
  }

  /**
   * Copies the batch's bytes into the byte heap, once: each event's bytes then go to their stream with one
   * memory.copy (heap.move; a Buffer copy per event costs several times that, and a view). The span is first
   * event to last event's end: ring batches are in order; an event outside the span (a ring that wrapped
   * mid-batch) is copied on its own (onData checks). batchBase is -1 when nothing was staged (a span over
   * STAGE_MAX, or the heap has no room).
   */
  private stageBatch(buf: Buffer, offsets: Uint32Array, count: number): void {
    this.batchBase = -1;
    if (count === 0) return;
    const lo = offsets[0]!;
    const last = offsets[count - 1]!;
    const hi = Math.min(buf.length, eventKind(buf, last) === EventKind.DATA ? dataBytesOffset(last) + dataLen(buf, last) : last + MAX_CONTROL_EVENT);
    if (hi <= lo || hi - lo > STAGE_MAX) return;
    if (this.staged.block.length < hi - lo) {
      heap.release(this.staged.block);
      this.staged.block = heap.alloc(hi - lo);
    }
    const base = heap.offsetOf(this.staged.block);
    if (base < 0) return;
    buf.copy(this.staged.block, 0, lo, hi);
    this.batchBase = base;
    this.batchLo = lo;
    this.batchHi = hi;
  }

  private tracker(buf: Buffer, off: number): ConnTracker {
    const w = this.words;
    let t: ConnTracker;
    if (w !== undefined && (off & 3) === 0) {
      const i = off >>> 2;
      t = this.conns.getOrCreate(wPid(w, i), wStartTimeNs(w, i), wFd(w, i), wGeneration(w, i));
      t.lastActivityNs = wTimestampNs(w, i);
    } else {
      t = this.conns.getOrCreate(eventPid(buf, off), eventStartTimeNs(buf, off), eventFd(buf, off), eventGeneration(buf, off));
      t.lastActivityNs = eventTimestampNs(buf, off);
    }
    const role = eventRole(buf, off);
    if (role !== 0 && role !== t.role) {
      t.role = role;
      t.statsKey = '';
      t.traced = undefined;
    }
    const proto = eventProtocol(buf, off);
    if (proto !== 0 && t.protocol === 0) t.protocol = proto;
    return t;
  }

  /** Attaches the decoder of the connection's protocol, once, at its first data (the socket type is known by then). */
  private attachDecoder(t: ConnTracker): void {
    t.decoderTried = true;
    const d = this.decoders.get(t.protocol);
    if (!d) return;
    const transport = d.transport === 'both' ? (t.sockType === SOCK_DGRAM ? 'datagram' : 'stream') : (d.transport ?? 'stream');
    t.decoder = d;
    try {
      t.state = d.createState(this.limits, transport);
    } catch (e) {
      this.fault(d, 'createState', e);
      t.decoder = undefined;
      return;
    }
    const opts = transport === 'datagram' ? this.datagramOpts : this.streamOpts;
    t.send = this.newStream(opts);
    t.recv = this.newStream(opts);
  }

  /** A stream with these options: a closed connection's if one waits (stream mode), else a new one. */
  private newStream(opts: DataStreamOptions): DataStream {
    return (opts === this.streamOpts ? this.streamPool.pop() : undefined) ?? new DataStream(opts);
  }

  /** A closed connection's stream: kept for the next connection (a bounded number), else its buffer goes back. */
  private recycle(s: DataStream | undefined): void {
    if (s === undefined) return;
    if (s.hasOptions(this.streamOpts) && this.streamPool.length < MAX_POOLED_STREAMS) {
      s.reset();
      this.streamPool.push(s);
    } else {
      s.release();
    }
  }

  private onOpen(buf: Buffer, off: number): void {
    const t = this.tracker(buf, off);
    t.family = openRemoteFamily(buf, off) || openLocalFamily(buf, off);
    t.sockType = openSockType(buf, off);
    t.localAddr = openLocalAddr(buf, off);
    t.localPort = openLocalPort(buf, off);
    t.remoteAddr = openRemoteAddr(buf, off);
    t.remotePort = openRemotePort(buf, off);
    t.statsKey = '';
    t.traced = undefined;
  }

  private onData(buf: Buffer, off: number): void {
    this.counters.dataEvents++;
    let t = this.tracker(buf, off);
    const tsNs = t.lastActivityNs + this.o.clockOffsetNs;
    const w = this.words;
    const aligned = w !== undefined && (off & 3) === 0;
    const len = aligned ? wDataLen(w, off >>> 2) : dataLen(buf, off);
    const pos = aligned ? wDataPos(w, off >>> 2) : dataPos(buf, off);
    const egress = dataDirection(buf, off) === Direction.EGRESS;
    if (egress) t.noteTotals(pos + len, 0);
    else t.noteTotals(0, pos + len);
    if (t.remoteAddr === '' && dataRemoteFamily(buf, off) !== 0) {
      // Datagram sockets name their peer per message (sendto/recvfrom).
      t.remoteAddr = dataRemoteAddr(buf, off);
      t.remotePort = dataRemotePort(buf, off);
      t.family = dataRemoteFamily(buf, off);
      t.statsKey = '';
    }
    if (t.sockType === SOCK_DGRAM && dataRemoteFamily(buf, off) !== 0 && this.datagramProtocols.has(t.protocol)) t = this.peerOf(t, buf, off);
    if (!t.decoderTried && t.protocol !== 0) this.attachDecoder(t);
    if (!t.decoder || t.off) return;
    const s = egress ? t.send! : t.recv!;
    const from = dataBytesOffset(off);
    if (this.batchBase >= 0 && from >= this.batchLo && from + len <= this.batchHi) s.append(pos, this.staged.block, from - this.batchLo, len, tsNs, this.batchBase);
    else s.append(pos, buf, from, len, tsNs);
    if (!t.dirty) {
      t.dirty = true;
      this.dirty.push(t);
    }
  }

  /** The tracker of the datagram's peer on datagram socket p (sendto/recvfrom/msg_name name it per datagram). */
  private peerOf(p: ConnTracker, buf: Buffer, off: number): ConnTracker {
    const port = dataRemotePort(buf, off);
    const family = dataRemoteFamily(buf, off);
    // IPv4 peers get a number key (no string per datagram); IPv6 ones are rarer.
    const key = family === AF_INET ? port * 0x1_0000_0000 + buf.readUInt32LE(off + DATA_REMOTE_ADDR) : `${port}|${dataRemoteAddr(buf, off)}`;
    const peers = (p.peers ??= new Map());
    let c = peers.get(key);
    if (!c) {
      if (peers.size >= MAX_PEERS) {
        const [oldKey, old] = peers.entries().next().value!;
        peers.delete(oldKey);
        this.retirePeer(old);
      }
      c = new ConnTracker(p.pid, p.startTimeNs, p.fd, p.generation);
      c.sockType = p.sockType;
      c.localAddr = p.localAddr;
      c.localPort = p.localPort;
      c.family = family;
      c.remoteAddr = dataRemoteAddr(buf, off);
      c.remotePort = port;
      peers.set(key, c);
    }
    c.lastActivityNs = p.lastActivityNs;
    if (c.role !== p.role) {
      c.role = p.role;
      c.traced = undefined;
    }
    if (c.protocol === 0) c.protocol = p.protocol;
    return c;
  }

  /** Decodes what is left of one peer of a datagram socket (its socket's totals stay with the socket). */
  private retirePeer(c: ConnTracker): void {
    if (c.closed) return;
    this.decode(c, true);
    c.closed = true;
    this.release(c);
  }

  /** A connection is gone: its stream buffers, and what its decoder state holds, go back to the byte heap. */
  private release(t: ConnTracker): void {
    this.recycle(t.send);
    this.recycle(t.recv);
    t.send = t.recv = undefined;
    const d = t.decoder;
    t.decoder = undefined;
    t.requests.length = 0;
    t.responses.length = 0;
    if (d?.releaseState === undefined) return;
    try {
      d.releaseState(t.state);
    } catch (e) {
      this.fault(d, 'releaseState', e);
    }
  }

  private onClose(buf: Buffer, off: number): void {
    const t = this.tracker(buf, off);
    t.noteTotals(closeBytesSent(buf, off), closeBytesRecv(buf, off));
    this.retire(t);
  }

  private onExit(pid: number): void {
    for (const t of this.conns.all()) if (t.pid === pid) this.retire(t);
  }

  /** Decodes what is left of a connection and forgets it. */
  private retire(t: ConnTracker): void {
    if (t.closed) return;
    if (t.peers) for (const c of t.peers.values()) this.retirePeer(c);
    this.decode(t, true);
    t.closed = true;
    this.release(t);
    this.o.connStats.onClosed(t);
    this.conns.delete(t);
  }

  /** Decodes every connection that got bytes since the last call (and those still waiting on a gap). */
  processDirty(): void {
    this.decodeDirty();
    this.o.writer.flush();
  }

  private decodeDirty(): void {
    const list = this.dirty.splice(0);
    for (const t of list) {
      t.dirty = false;
      if (t.closed) continue;
      this.decode(t, false);
      // A gap is skipped only after it survived a later round: keep the connection in the list.
      if (!t.closed && ((t.send?.hasGap ?? false) || (t.recv?.hasGap ?? false)) && !t.dirty) {
        t.dirty = true;
        this.dirty.push(t);
      }
    }
  }

  private decode(t: ConnTracker, flush: boolean): void {
    const d = t.decoder;
    if (!d || t.off) return;
    if (t.traced === undefined) t.traced = this.o.policy.shouldTrace(t.role, t.remoteAddr);
    if (t.traced !== true) {
      // Undecided (role unknown): keep the bytes, bounded by the stream limit. Not traced: drop them.
      if (t.traced === false) {
        t.send!.dropAll();
        t.recv!.dropAll();
      }
      return;
    }
    const reqS = t.requestStream!;
    const respS = t.responseStream!;
    const before = reqS.counters.invalid + respS.counters.invalid;
    const framesBefore = t.frames;
    try {
      // Requests first: a response's framing may depend on its request (HEAD).
      if (flush) {
        t.frames += reqS.flush(d, MessageType.REQUEST, t.state, t.requests);
        t.frames += respS.flush(d, MessageType.RESPONSE, t.state, t.responses);
      } else {
        t.frames += reqS.parse(d, MessageType.REQUEST, t.state, t.requests);
        t.frames += respS.parse(d, MessageType.RESPONSE, t.state, t.responses);
      }
      if (t.responses.length > 0 && (t.requests.length > 0 || d.unsolicited === true)) {
        // d.protocol is the name the decoder was found by (protocolName(t.protocol)), without a lookup per call.
        this.counters.stitchErrors += this.o.writer.stitch(d.protocol, d, t);
      }
    } catch (e) {
      this.fault(d, 'decode', e);
    }
    this.bound(t.requests);
    this.bound(t.responses);
    const failed = reqS.counters.invalid + respS.counters.invalid - before;
    this.counters.decodeErrors += failed;
    if (t.frames > framesBefore) t.failures = 0;
    t.failures += failed;
    if (t.failures >= this.maxFailures) {
      // The bytes keep failing to parse: BPF's guess of the protocol was wrong for this connection.
      t.off = true;
      this.counters.connectionsOff++;
      reqS.dropAll();
      respS.dropAll();
    }
  }

  private bound(frames: Frame[]): void {
    if (frames.length > MAX_WAITING_FRAMES) {
      const n = frames.length - MAX_WAITING_FRAMES;
      frames.splice(0, n);
      this.counters.framesDropped += n;
    }
  }

  private fault(d: Decoder<Frame, unknown>, what: string, e: unknown): void {
    this.counters.pluginErrors++;
    this.o.host.recordFault(`decoder:${d.protocol}`, what, e);
  }

  /** Forgets connections idle longer than idleNs at monotonic time nowNs; returns how many. */
  expire(nowNs: number): number {
    let n = 0;
    for (const t of this.conns.all()) {
      if (nowNs - t.lastActivityNs > this.o.idleNs) {
        this.retire(t);
        n++;
      } else if (t.peers) {
        for (const [k, c] of t.peers) {
          if (nowNs - c.lastActivityNs > this.o.idleNs) {
            t.peers.delete(k);
            this.retirePeer(c);
          }
        }
      }
    }
    this.counters.trackersExpired += n;
    this.o.writer.flush();
    return n;
  }

  /** Decodes and forgets every connection (agent stop). */
  flushAll(): void {
    for (const t of this.conns.all()) this.retire(t);
    this.o.writer.flush();
  }

  /** Bytes buffered in every stream. */
  bufferedBytes(): number {
    let n = 0;
    for (const t of this.conns.all()) {
      n += (t.send?.bufferedBytes ?? 0) + (t.recv?.bufferedBytes ?? 0);
      if (t.peers) for (const c of t.peers.values()) n += (c.send?.bufferedBytes ?? 0) + (c.recv?.bufferedBytes ?? 0);
    }
    return n;
  }
}



function protocolId(name: string): number {
  const p = protocolName;
  for (let id = 1; id < 64; id++) if (p(id) === name) return id;
  return 0;
}
