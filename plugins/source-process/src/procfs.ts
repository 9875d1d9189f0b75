import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Clock ticks per second for /proc times (USER_HZ; 100 on every Linux architecture Nixie runs on). */
export const CLK_TCK = 100;
const PAGE_SIZE = 4096;

/** Figures read from /proc/<pid>/stat, /proc/<pid>/io. Fields absent (e.g. io without privilege) are 0. */
export interface ProcSample {
  pid: number;
  startTicks: number;
  minorFaults: number;
  majorFaults: number;
  utimeNs: number;
  stimeNs: number;
  numThreads: number;
  vsizeBytes: number;
  rssBytes: number;
  rchar: number;
  wchar: number;
  readBytes: number;
  writeBytes: number;
}

/** Pids of the processes now running. */
export function listPids(proc = '/proc'): number[] {
  const out: number[] = [];
  for (const name of readdirSync(proc)) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

/** Parses /proc/<pid>/stat text; the command may contain spaces and parentheses, so fields are read after the last ')'. */
export function parseStat(text: string): Omit<ProcSample, 'pid' | 'rchar' | 'wchar' | 'readBytes' | 'writeBytes'> | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields from index 3 (state) onward; f[0] is field 3.
  const f = text.slice(close + 2).split(' ');
  const at = (n: number) => Number(f[n - 3] ?? 0);
  if (f.length < 22) return undefined;
  return {
    minorFaults: at(10),
    majorFaults: at(12),
    utimeNs: (at(14) * 1e9) / CLK_TCK,
    stimeNs: (at(15) * 1e9) / CLK_TCK,
    numThreads: at(20),
    startTicks: at(22),
    vsizeBytes: at(23),
    rssBytes: at(24) * PAGE_SIZE,
  };
}

/** Parses /proc/<pid>/io text. */
export function parseIo(text: string): Pick<ProcSample, 'rchar' | 'wchar' | 'readBytes' | 'writeBytes'> {
  const v = (key: string) => {
    const m = new RegExp(`^${key}: (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { rchar: v('rchar'), wchar: v('wchar'), readBytes: v('read_bytes'), writeBytes: v('write_bytes') };
}

/** Reads one process; undefined if it exited meanwhile. */
export function readProcess(pid: number, proc = '/proc'): ProcSample | undefined {
  let stat: string;
  try {
    stat = readFileSync(`${proc}/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const s = parseStat(stat);
  if (!s) return undefined;
  let io = { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0 };
  try {
    io = parseIo(readFileSync(`${proc}/${pid}/io`, 'latin1'));
  } catch {
    // kernel threads and other users' processes without privilege: no io figures
  }
  return { pid, ...s, ...io };
}

/** Interface counters of one network namespace, summed over its interfaces except loopback. */
export interface NetSample {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDrops: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDrops: number;
}

/** Parses /proc/<pid>/net/dev. */
export function parseNetDev(text: string, includeLoopback = false): NetSample {
  const s: NetSample = { rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDrops: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDrops: 0 };
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    if (!includeLoopback && line.slice(0, colon).trim() === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    s.rxBytes += f[0]!;
    s.rxPackets += f[1]!;
    s.rxErrors += f[2]!;
    s.rxDrops += f[3]!;
    s.txBytes += f[8]!;
    s.txPackets += f[9]!;
    s.txErrors += f[10]!;
    s.txDrops += f[11]!;
  }
  return s;
}

/** The network namespace of a process, as its inode string (e.g. "net:[4026531840]"), or undefined. */
export function netnsOf(pid: number, proc = '/proc'): string | undefined {
  try {
    return readlinkSync(`${proc}/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}
