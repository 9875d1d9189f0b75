import { CONTAINER_COMMANDS } from './commands.js';
import { INVALID, lineEnd, MAX_LINE, NEED_MORE, parseDecimal, RespType } from './resp.js';
import { decodeText, TRUNCATED } from '@nixie/core';

/** A parsed client command. */
export interface ParsedCommand {
  /** Upper-cased command, two words for container commands (`CONFIG GET`). */
  cmd: string;
  /** The other arguments as a JSON array of strings, cut at the body limit. */
  args: string;
  /** Number of arguments after the command word(s). */
  argc: number;
  /** Bytes the command took. */
  consumed: number;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
/** Redis refuses more arguments than this (its own limit is 1M for multibulk); so do we. */
const MAX_ARGS = 1024 * 1024;

/**
 * Parses one command at the head of buf into out: a RESP array of bulk strings, or an inline command
 * (a text line, as telnet users type). Returns bytes consumed, NEED_MORE or INVALID.
 */
export function parseCommand(buf: Uint8Array, limit: number, out: ParsedCommand): number {
  if (buf.length === 0) return NEED_MORE;
  if (buf[0] === RespType.ARRAY) return parseMultiBulk(buf, limit, out);
  return parseInline(buf, limit, out);
}

function parseMultiBulk(buf: Uint8Array, limit: number, out: ParsedCommand): number {
  const eol = lineEnd(buf, 1);
  if (eol < 0) return eol;
  const n = parseDecimal(buf, 1, eol);
  if (!(n >= 1) || n > MAX_ARGS) return INVALID;
  let p = eol + 2;
  let cmd = '';
  let args = '[';
  let argc = 0;
  let cut = false;
  for (let i = 0; i < n; i++) {
    if (p >= buf.length) return NEED_MORE;
    if (buf[p] !== RespType.BULK_STRING) return INVALID;
    const le = lineEnd(buf, p + 1);
    if (le < 0) return le;
    const len = parseDecimal(buf, p + 1, le);
    if (!(len >= 0) || len > 512 * 1024 * 1024) return INVALID;
    const start = le + 2;
    const end = start + len;
    if (end + 2 > buf.length) return NEED_MORE;
    if (buf[end] !== CR || buf[end + 1] !== LF) return INVALID;
    p = end + 2;
    if (i === 0) {
      cmd = decodeText(buf, start, end, 64).toUpperCase();
      continue;
    }
    if (i === 1 && CONTAINER_COMMANDS.has(cmd)) {
      cmd += ' ' + decodeText(buf, start, end, 64).toUpperCase();
      continue;
    }
    argc++;
    if (cut) continue;
    const room = limit - args.length;
    const s = JSON.stringify(decodeText(buf, start, end, Math.max(0, room)));
    if (s.length > room) {
      args += (argc > 1 ? ',' : '') + JSON.stringify(TRUNCATED.trim());
      cut = true;
      continue;
    }
    args += (argc > 1 ? ',' : '') + s;
  }
  out.cmd = cmd;
  out.args = args + ']';
  out.argc = argc;
  out.consumed = p;
  return p;
}

function parseInline(buf: Uint8Array, limit: number, out: ParsedCommand): number {
  const b = buf[0]!;
  // An inline command starts with a letter; anything else is not a command we can read.
  if (!((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))) return INVALID;
  const stop = Math.min(buf.length, MAX_LINE);
  let lf = -1;
  for (let i = 0; i < stop; i++) {
    const c = buf[i]!;
    if (c === LF) {
      lf = i;
      break;
    }
    if (c < 0x20 && c !== CR && c !== 0x09) return INVALID;
  }
  if (lf < 0) return stop === buf.length ? NEED_MORE : INVALID;
  const end = lf > 0 && buf[lf - 1] === CR ? lf - 1 : lf;
  let cmd = '';
  const words: string[] = [];
  let i = 0;
  while (i < end) {
    while (i < end && buf[i] === SPACE) i++;
    const s = i;
    while (i < end && buf[i] !== SPACE) i++;
    if (i > s) {
      const w = decodeText(buf, s, i, limit);
      if (cmd === '') cmd = w.toUpperCase();
      else if (words.length === 0 && CONTAINER_COMMANDS.has(cmd) && !cmd.includes(' ')) cmd += ' ' + w.toUpperCase();
      else words.push(w);
    }
  }
  let args = JSON.stringify(words);
  if (args.length > limit) args = JSON.stringify([TRUNCATED.trim()]);
  out.cmd = cmd;
  out.args = args;
  out.argc = words.length;
  out.consumed = lf + 1;
  return lf + 1;
}
