import { DEFAULT_DECODER_LIMITS, MessageType, PGSQL_EVENTS, type Decoder, type DecoderLimits, type ParseResult } from '@nixie/core';
import { isBackendType, isFrontendType } from './messages.js';
import { createPgState, parseRequest, parseResponse, type PgFrame, type PgState } from './parse.js';
import { readI32 } from './reader.js';
import { stitchPg } from './stitch.js';

function parseFrame(type: MessageType, buf: Uint8Array, state: PgState): ParseResult<PgFrame> {
  return type === MessageType.REQUEST ? parseRequest(buf, state) : parseResponse(buf, state);
}

/** A type byte followed by a plausible length: where a message probably starts. */
function findFrameBoundary(type: MessageType, buf: Uint8Array, from: number): number {
  const isType = type === MessageType.REQUEST ? isFrontendType : isBackendType;
  for (let i = Math.max(0, from); i + 5 <= buf.length; i++) {
    if (!isType(buf[i]!)) continue;
    const len = readI32(buf, i + 1);
    if (len >= 4 && len < 1 << 24) return i;
  }
  return -1;
}

/** The PostgreSQL decoder: simple and extended queries into pgsql_events. */
export const pgsqlDecoder: Decoder<PgFrame, PgState> = Object.freeze({
  protocol: 'pgsql',
  table: PGSQL_EVENTS,
  createState: (limits: DecoderLimits = DEFAULT_DECODER_LIMITS) => createPgState(limits),
  findFrameBoundary,
  parseFrame,
  stitch: (requests: PgFrame[], responses: PgFrame[]) => stitchPg(requests, responses),
});
