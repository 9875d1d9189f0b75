/**
 * libbpf's print callback, captured: libbpf reports verifier logs and most failure reasons only through it.
 * One callback is registered for the process; it keeps the recent lines so that errors can quote them.
 */
import { PRINT_FN, getNative, register, type Ptr } from './native.js';

const LEVEL_DEBUG = 2;
const MAX_LINES = 2000;
const lines: string[] = [];
let dropped = 0; // lines spliced off the front, so marks stay valid
let installed = false;
const scratch = Buffer.alloc(64 * 1024);

/** Installs the print callback once (idempotent). NIXIE_LIBBPF_DEBUG=1 also echoes libbpf's messages to stderr. */
export function installLogger(): void {
  if (installed) return;
  const n = getNative();
  const echo = process.env.NIXIE_LIBBPF_DEBUG === '1';
  const cb = register(((level: number, fmt: Ptr, ap: Ptr): number => {
    if (level >= LEVEL_DEBUG && !echo) return 0;
    const len = n.vsnprintf(scratch, scratch.length, fmt, ap);
    const text = scratch.toString('utf8', 0, Math.min(Math.max(len, 0), scratch.length - 1));
    if (echo) process.stderr.write(text);
    for (const line of text.split('\n')) if (line.length > 0) lines.push(line);
    if (lines.length > MAX_LINES) {
      dropped += lines.length - MAX_LINES;
      lines.splice(0, lines.length - MAX_LINES);
    }
    return 0;
  }) as (...args: never[]) => unknown, PRINT_FN);
  n.libbpf_set_print(cb);
  installed = true;
}

/** A mark in the log: pass it to `linesSince` to get what libbpf printed after it. */
export function logMark(): number {
  return dropped + lines.length;
}

/** Lines libbpf printed since `mark` (from logMark). */
export function linesSince(mark: number): string[] {
  return lines.slice(Math.max(0, mark - dropped));
}

/** Drops captured lines (after an error has quoted them). */
export function clearLog(): void {
  dropped += lines.length;
  lines.length = 0;
}
