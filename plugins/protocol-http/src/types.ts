import { byteHeap, ByteHeap, type DecoderLimits, type Frame, type MessageType } from '@nixie/core';
import { utf8 } from './bytes.js';

/**
 * Where arenas live: the process's byte heap, so that the WebAssembly parser (which imports its memory) writes
 * text into them and row staging copies out of them with heap.move (memory.copy). With the heap off (NIXIE_BYTE_HEAP_MB=0),
 * a small one of the plugin's own, for the WebAssembly parser.
 */
export const textHeap: ByteHeap = byteHeap().memory !== undefined ? byteHeap() : new ByteHeap(16 * 1024 * 1024);

/**
 * Bytes of parsed messages' text, appended in order. Frames keep offsets into `buf`, not strings: stitchInto
 * copies them straight into table columns. When full, a new block replaces `buf` (frames keep the old one,
 * which is retired); when every frame of the arena has been stitched, writing starts over at 0 and the retired
 * blocks go back to the heap.
 */
export interface Arena {
  buf: Buffer;
  /** Where buf[0] lies in textHeap (-1: a plain Buffer, the heap being full). */
  base: number;
  at: number;
  retired: Buffer[] | undefined;
}

/** First size of a connection's arena. */
const ARENA_START = 4096;

export function newArena(): Arena {
  const buf = textHeap.alloc(ARENA_START);
  return { buf, base: textHeap.offsetOf(buf), at: 0, retired: undefined };
}

/** Makes room for `n` more bytes at arena.at. */
export function reserve(a: Arena, n: number): Buffer {
  if (a.at + n > a.buf.length) replaceArena(a, Math.max(n, a.buf.length * 2));
  return a.buf;
}

/** Moves the arena to a new block of at least n bytes, writing from 0 (frames keep the old block). */
export function replaceArena(a: Arena, n: number): void {
  (a.retired ??= []).push(a.buf);
  a.buf = textHeap.alloc(n);
  a.base = textHeap.offsetOf(a.buf);
  a.at = 0;
}

/** Every frame of the arena was stitched: writing starts over at 0, and blocks frames held go back to the heap. */
export function restartArena(a: Arena): void {
  a.at = 0;
  if (a.retired === undefined) return;
  for (const b of a.retired) textHeap.release(b);
  a.retired = undefined;
}

/** Makes an arena as new for another connection: written from 0, and back to its first size if it grew far. */
export function resetArena(a: Arena): void {
  restartArena(a);
  if (a.buf.length <= 4 * ARENA_START) return;
  textHeap.release(a.buf);
  a.buf = textHeap.alloc(ARENA_START);
  a.base = textHeap.offsetOf(a.buf);
}

/** Gives an arena's blocks back (its connection's state is gone). */
export function releaseArena(a: Arena): void {
  restartArena(a);
  textHeap.release(a.buf);
  a.buf = EMPTY;
  a.base = -1;
}

const EMPTY = Buffer.alloc(0);

/**
 * One HTTP/1 request or response, with what http_events needs; its text (path or reason, headers as JSON,
 * body cut to the limit) is UTF-8 in `raw`: [textStart, textEnd) path or reason, [textEnd, headersEnd)
 * headers, [headersEnd, bodyEnd) body. A frame the parsers made goes back to them once stitched (see
 * takeFrame): its fields are written again for another message.
 */
export class HttpMessage implements Frame {
  startNs = 0;
  endNs = 0;
  /** Made by takeFrame: stitch hands it back for reuse (HttpMessage.of's frames stay their caller's). */
  parsed = false;
  /** In spareFrames, waiting for takeFrame: handed back twice, it is kept once. */
  spare = false;
  constructor(
    public type: MessageType,
    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public minorVersion: number,
    /** Request method ('' for a response). */
    public method: string,
    /** Response status (0 for a request). */
    public status: number,
    /** http_events content_type: 0 unknown, 1 JSON. */
    public contentType: number,
    /** Body bytes on the wire (after de-chunking). */
    public bodySize: number,
    public raw: Buffer,
    public textStart: number,
    public textEnd: number,
    public headersEnd: number,
    public bodyEnd: number,
    /** Where raw[0] lies in the byte heap (-1: not in it): row staging copies from there with copyWithin. */
    public rawBase = -1,
  ) {}

  /** A message from its fields as text (tests, tools): path is used for a request, message for a response. */
  static of(f: {
    type: MessageType; minorVersion?: number; method?: string; path?: string; status?: number; message?: string;
    headers?: string; contentType?: number; body?: string; bodySize?: number; startNs?: number; endNs?: number;
  }): HttpMessage {
    const method = f.type === 0 ? (f.method ?? 'GET') : '';
    const text = Buffer.from(method === '' ? (f.message ?? '') : (f.path ?? '/'));
    const headers = Buffer.from(f.headers ?? '{}');
    const body = Buffer.from(f.body ?? '');
    const raw = Buffer.concat([text, headers, body]);
    const m = new HttpMessage(f.type, f.minorVersion ?? 1, method, f.status ?? 0, f.contentType ?? 0, f.bodySize ?? body.length,
      raw, 0, text.length, text.length + headers.length, raw.length);
    m.startNs = f.startNs ?? 0;
    m.endNs = f.endNs ?? 0;
    return m;
  }

  /** Request target ('' for a response). */
  get path(): string {
    return this.method === '' ? '' : utf8(this.raw, this.textStart, this.textEnd);
  }

  /** Response reason phrase ('' for a request). */
  get message(): string {
    return this.method === '' ? utf8(this.raw, this.textStart, this.textEnd) : '';
  }

  /** Header fields as a JSON object, cut at headersLimitBytes. */
  get headers(): string {
    return utf8(this.raw, this.textEnd, this.headersEnd);
  }

  /** Body as text (inflated if gzip), cut at bodyLimitBytes. */
  get body(): string {
    return utf8(this.raw, this.headersEnd, this.bodyEnd);
  }
}

/**
 * Stitched frames, for the parsers to fill again: a frame per message allocated in the young generation, then
 * stored into old arrays (a write barrier each time), cost replay ~4% of its time. Bounded: a stitch hands back
 * at most the frames parsed since the last one.
 */
const spareFrames: HttpMessage[] = [];
const MAX_SPARE_FRAMES = 1024;

/** A frame for the message just parsed: a stitched one, every field written again, or a new one. */
export function takeFrame(
  type: MessageType, minorVersion: number, method: string, status: number, contentType: number, bodySize: number,
  raw: Buffer, textStart: number, textEnd: number, headersEnd: number, bodyEnd: number, rawBase: number,
): HttpMessage {
  const f = spareFrames.pop();
  if (f === undefined) {
    const m = new HttpMessage(type, minorVersion, method, status, contentType, bodySize, raw, textStart, textEnd, headersEnd, bodyEnd, rawBase);
    m.parsed = true;
    return m;
  }
  f.spare = false;
  f.startNs = 0;
  f.endNs = 0;
  f.type = type;
  f.minorVersion = minorVersion;
  f.method = method;
  f.status = status;
  f.contentType = contentType;
  f.bodySize = bodySize;
  f.raw = raw;
  f.textStart = textStart;
  f.textEnd = textEnd;
  f.headersEnd = headersEnd;
  f.bodyEnd = bodyEnd;
  f.rawBase = rawBase;
  return f;
}

/** Takes back a frame stitch is done with (its row or record written), for takeFrame, which writes every field. */
export function recycleFrame(f: HttpMessage): void {
  if (!f.parsed || f.spare || spareFrames.length >= MAX_SPARE_FRAMES) return;
  f.spare = true;
  spareFrames.push(f);
}

/** Per-connection decoder state. */
export interface HttpState {
  limits: DecoderLimits;
  /**
   * Methods of requests parsed but not yet answered, oldest first: a response to HEAD has no body
   * whatever its Content-Length says. The agent parses a connection's requests before its responses.
   */
  readonly methods: string[];
  /** A request asked to switch protocols (Upgrade, CONNECT); its answer decides. */
  upgradePending: boolean;
  /** The connection switched protocols: HTTP/1 is over on it. */
  upgraded: boolean;
  /** Text of requests and of responses not yet stitched. */
  readonly requestText: Arena;
  readonly responseText: Arena;
}

/** Most unanswered request methods remembered (responses may never be captured). */
export const MAX_PENDING_METHODS = 256;
/** A header block larger than this is not HTTP we can decode (Node's limit is 16 KiB; servers allow 64 KiB). */
export const MAX_HEADER_BYTES = 64 * 1024;
