import { DEFAULT_DECODER_LIMITS, MessageType, MYSQL_EVENTS, type Decoder, type DecoderLimits, type ParseResult } from '@nixie/core';
import { COM_STMT_BULK_EXECUTE, MAX_COMMAND } from './constants.js';
import { createMysqlState, parsePacket, type MysqlFrame, type MysqlState } from './parse.js';
import { stitchMysql } from './stitch.js';

function parseFrame(type: MessageType, buf: Uint8Array, state: MysqlState): ParseResult<MysqlFrame> {
  return parsePacket(type === MessageType.REQUEST, buf, state);
}

/**
 * MySQL packets carry no sync marker; a plausible start is a header whose sequence id begins an
 * exchange (0 and a known command for requests, 1 for replies) with a length that fits what we hold.
 */
function findFrameBoundary(type: MessageType, buf: Uint8Array, from: number): number {
  const isRequest = type === MessageType.REQUEST;
  for (let i = Math.max(0, from); i + 5 <= buf.length; i++) {
    const len = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16);
    if (len === 0 || len > 1 << 20) continue;
    const seq = buf[i + 3]!;
    if (isRequest) {
      const cmd = buf[i + 4]!;
      if (seq === 0 && (cmd <= MAX_COMMAND || cmd === COM_STMT_BULK_EXECUTE) && cmd !== 0) return i;
    } else if (seq === 1) {
      return i;
    }
  }
  return -1;
}

/** The MySQL/MariaDB decoder: commands, prepared statements and replies into mysql_events. */
export const mysqlDecoder: Decoder<MysqlFrame, MysqlState> = Object.freeze({
  protocol: 'mysql',
  table: MYSQL_EVENTS,
  createState: (limits: DecoderLimits = DEFAULT_DECODER_LIMITS) => createMysqlState(limits),
  findFrameBoundary,
  parseFrame,
  stitch: stitchMysql,
});
