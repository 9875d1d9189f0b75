import { concat } from '@nixie/core';
import type { Bus, BusSubscription } from './bus.js';

/**
 * Chunked replies over the Bus. Each reply message is one frame: kind (u8), sequence number (u32 BE),
 * payload. A sequence gap means the transport dropped a message; the reader reports it rather than
 * returning a silently incomplete result.
 */
export const FRAME = Object.freeze({
  /** The agent took the query; payload JSON {agent}. */
  ACK: 1,
  /** Part of an output batch that did not fit one message; payload: raw bytes, more follow. */
  PART: 2,
  /** An output batch (or the last part of one); payload: u16 name length, name (UTF-8), batch bytes. */
  BATCH: 3,
  /** The fragment finished; payload JSON stats. */
  END: 4,
  /** The fragment failed; payload JSON {code, message}. */
  ERROR: 5,
} as const);
export type FrameKind = (typeof FRAME)[keyof typeof FRAME];

const HEADER = 5;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** One decoded reply as a reader sees it: parts are already joined into whole batches. */
export type ReplyEvent =
  | { kind: 'ack'; info: Record<string, unknown> }
  | { kind: 'batch'; name: string; bytes: Uint8Array }
  | { kind: 'end'; stats: Record<string, unknown> }
  | { kind: 'error'; code: string; message: string };

function frame(kind: FrameKind, seq: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  out[0] = kind;
  new DataView(out.buffer).setUint32(1, seq >>> 0);
  out.set(payload, HEADER);
  return out;
}

/** Writes one request's replies, splitting batches larger than the bus's max payload. */
export class ReplyWriter {
  private seq = 0;
  private done = false;

  constructor(
    private readonly bus: Bus,
    private readonly subject: string,
  ) {}

  /** Whether end() or error() was sent. */
  get finished(): boolean {
    return this.done;
  }

  ack(info: Record<string, unknown>): void {
    this.send(FRAME.ACK, enc.encode(JSON.stringify(info)));
  }

  /** Sends one encoded batch of the named output. */
  batch(name: string, bytes: Uint8Array): void {
    const nameBytes = enc.encode(name);
    const body = new Uint8Array(2 + nameBytes.length + bytes.length);
    new DataView(body.buffer).setUint16(0, nameBytes.length);
    body.set(nameBytes, 2);
    body.set(bytes, 2 + nameBytes.length);
    // Headroom for the transport's own headers.
    const room = Math.max(1024, this.bus.maxPayload - HEADER - 512);
    let at = 0;
    while (body.length - at > room) {
      this.send(FRAME.PART, body.subarray(at, at + room));
      at += room;
    }
    this.send(FRAME.BATCH, body.subarray(at));
  }

  end(stats: Record<string, unknown>): void {
    this.send(FRAME.END, enc.encode(JSON.stringify(stats)));
    this.done = true;
  }

  error(code: string, message: string): void {
    if (this.done) return;
    this.send(FRAME.ERROR, enc.encode(JSON.stringify({ code, message })));
    this.done = true;
  }

  private send(kind: FrameKind, payload: Uint8Array): void {
    this.bus.publish(this.subject, frame(kind, this.seq++, payload));
  }
}

/** Why a reply stream ended without END. */
export class ReplyStreamError extends Error {
  constructor(
    readonly reason: 'timeout' | 'no-ack' | 'gap' | 'agent-error' | 'cancelled' | 'left',
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ReplyStreamError';
  }
}

export interface RequestStreamOptions {
  /** No ACK within this time: the agent is not there. */
  ackTimeoutMs: number;
  /** The whole reply must end within this time. */
  timeoutMs: number;
  /** Aborting ends the stream with a 'cancelled' (or the abort reason's) error. */
  signal?: AbortSignal;
}

/**
 * Sends a request and yields its replies until END. Throws ReplyStreamError on timeout, a missing ACK,
 * a sequence gap, an ERROR frame, or an abort.
 */
export async function* requestStream(
  bus: Bus,
  subject: string,
  payload: Uint8Array,
  opts: RequestStreamOptions,
): AsyncGenerator<ReplyEvent> {
  const inbox = bus.newInbox();
  const queue: (ReplyEvent | ReplyStreamError)[] = [];
  let wake: (() => void) | undefined;
  let expectSeq = 0;
  let parts: Uint8Array[] = [];
  let acked = false;
  const push = (e: ReplyEvent | ReplyStreamError): void => {
    queue.push(e);
    wake?.();
  };
  const sub: BusSubscription = bus.subscribe(inbox, (msg) => {
    const d = msg.data;
    // NATS answers a request nobody subscribes to with an empty "no responders" status message.
    if (d.length === 0) return push(new ReplyStreamError('no-ack', 'nobody serves this subject'));
    if (d.length < HEADER) return push(new ReplyStreamError('gap', 'malformed reply frame'));
    const kind = d[0]!;
    const seq = new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(1);
    if (seq !== expectSeq) return push(new ReplyStreamError('gap', `reply ${expectSeq} lost (got ${seq})`));
    expectSeq++;
    const body = d.subarray(HEADER);
    switch (kind) {
      case FRAME.ACK:
        acked = true;
        return push({ kind: 'ack', info: JSON.parse(dec.decode(body)) as Record<string, unknown> });
      case FRAME.PART:
        parts.push(body.slice());
        return;
      case FRAME.BATCH: {
        const whole = parts.length ? concat(...parts, body) : body;
        parts = [];
        const n = new DataView(whole.buffer, whole.byteOffset, whole.byteLength).getUint16(0);
        return push({ kind: 'batch', name: dec.decode(whole.subarray(2, 2 + n)), bytes: whole.subarray(2 + n) });
      }
      case FRAME.END:
        return push({ kind: 'end', stats: JSON.parse(dec.decode(body)) as Record<string, unknown> });
      case FRAME.ERROR: {
        const e = JSON.parse(dec.decode(body)) as { code: string; message: string };
        return push(new ReplyStreamError('agent-error', e.message, e.code));
      }
      default:
        return push(new ReplyStreamError('gap', `unknown reply frame kind ${kind}`));
    }
  });
  const ackTimer = setTimeout(() => {
    if (!acked) push(new ReplyStreamError('no-ack', `no answer within ${opts.ackTimeoutMs} ms`));
  }, opts.ackTimeoutMs);
  const timer = setTimeout(() => push(new ReplyStreamError('timeout', `timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
  const onAbort = (): void => {
    const r: unknown = opts.signal?.reason;
    push(r instanceof ReplyStreamError ? r : new ReplyStreamError('cancelled', 'cancelled'));
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (opts.signal?.aborted) onAbort();
    else bus.publish(subject, payload, inbox);
    while (true) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      const e = queue.shift()!;
      if (e instanceof ReplyStreamError) throw e;
      yield e;
      if (e.kind === 'end') return;
    }
  } finally {
    clearTimeout(ackTimer);
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    sub.unsubscribe();
  }
}
