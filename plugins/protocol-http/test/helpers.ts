import { MessageType, type ParseResult } from '@nixie/core';
import { httpDecoder } from '../src/decoder.js';
import type { HttpMessage, HttpState } from '../src/types.js';

/** Bytes of a message built from its lines (CRLF-joined, blank line, then body). */
export function msg(lines: string[], body: string | Buffer = ''): Buffer {
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), typeof body === 'string' ? Buffer.from(body) : body]);
}

/** A chunked body: each part one chunk, then the last chunk and optional trailer lines. */
export function chunked(parts: string[], trailers: string[] = []): string {
  return parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + '0\r\n' + trailers.map((t) => t + '\r\n').join('') + '\r\n';
}

export interface Drained {
  frames: HttpMessage[];
  rest: number;
  last: ParseResult<HttpMessage>['kind'];
}

/** Parses frames from the head of buf until it stops; returns them and the unconsumed byte count. */
export function drain(type: MessageType, buf: Uint8Array, state: HttpState): Drained {
  const frames: HttpMessage[] = [];
  let off = 0;
  for (;;) {
    const r = httpDecoder.parseFrame(type, buf.subarray(off), state);
    if (r.kind === 'success') {
      frames.push(r.frame);
      off += r.consumed;
    } else if (r.kind === 'ignored') {
      off += r.consumed;
    } else {
      return { frames, rest: buf.length - off, last: r.kind };
    }
    if (off === buf.length) return { frames, rest: 0, last: r.kind };
  }
}

/** Feeds `whole` in two parts split at `at`, as a stream would: parse, append, parse again. */
export function feedSplit(type: MessageType, whole: Buffer, at: number, state: HttpState): HttpMessage[] {
  const first = whole.subarray(0, at);
  const r1 = drain(type, first, state);
  if (r1.last === 'invalid') throw new Error(`invalid at split ${at}`);
  const consumed = first.length - r1.rest;
  const r2 = drain(type, whole.subarray(consumed), state);
  if (r2.last === 'invalid') throw new Error(`invalid after split ${at}`);
  return [...r1.frames, ...r2.frames];
}

export const REQ = MessageType.REQUEST;
export const RESP = MessageType.RESPONSE;
