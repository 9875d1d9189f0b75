/** perf_event_open for sampling (e.g. a CPU profiler's cpu-clock events), and attaching programs to it. */
import { readdirSync, readFileSync } from 'node:fs';
import { assertPrivileges } from './checks.js';
import { createBpfError } from './errors.js';
import { errno, getNative } from './native.js';
import type { BpfLink, BpfProgram } from './program.js';
import { strerror } from './util.js';

/** perf_event types (PERF_TYPE_*). */
export const PerfType = Object.freeze({ HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2 } as const);
/** Software events (PERF_COUNT_SW_*). */
export const PerfSoftware = Object.freeze({ CPU_CLOCK: 0, TASK_CLOCK: 1 } as const);

/** What to sample. */
export interface PerfEventSpec {
  type?: number;
  config?: number;
  /** Samples per second (sets freq mode); or give samplePeriod. */
  frequency?: number;
  samplePeriod?: number;
  /** -1: every process on `cpu`. */
  pid?: number;
  /** -1: every CPU of `pid`. */
  cpu?: number;
}

const PERF_FLAG_FD_CLOEXEC = 8;
const PERF_EVENT_IOC_ENABLE = 0x2400;
const PERF_EVENT_IOC_DISABLE = 0x2401;

/** An open perf event; close() closes its fd. */
export class PerfEvent {
  constructor(
    readonly fd: number,
    readonly cpu: number,
  ) {}
  enable(): void {
    getNative().ioctl(this.fd, PERF_EVENT_IOC_ENABLE, 0);
  }
  disable(): void {
    getNative().ioctl(this.fd, PERF_EVENT_IOC_DISABLE, 0);
  }
  close(): void {
    getNative().close(this.fd);
  }
}

/** Opens one perf event (perf_event_open through syscall()). */
export function openPerfEvent(spec: PerfEventSpec): PerfEvent {
  // struct perf_event_attr (PERF_ATTR_SIZE_VER5 = 112 bytes is enough for what we set).
  const attr = Buffer.alloc(112);
  attr.writeUInt32LE(spec.type ?? PerfType.SOFTWARE, 0);
  attr.writeUInt32LE(attr.length, 4);
  attr.writeBigUInt64LE(BigInt(spec.config ?? PerfSoftware.CPU_CLOCK), 8);
  const freq = spec.frequency !== undefined;
  attr.writeBigUInt64LE(BigInt(freq ? spec.frequency! : (spec.samplePeriod ?? 1_000_000)), 16);
  // flags bit field at offset 40: bit 10 = freq.
  attr.writeBigUInt64LE(freq ? 1n << 10n : 0n, 40);
  const pid = spec.pid ?? -1;
  const cpu = spec.cpu ?? -1;
  const fd = getNative().perf_event_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) {
    const e = errno();
    if (e === 1 || e === 13) assertPrivileges('perf_event_open');
    throw createBpfError('NIXIE_ERR_BPF_PERF_EVENT', `type ${spec.type ?? 1}, pid ${pid}, cpu ${cpu}`, strerror(e));
  }
  return new PerfEvent(fd, cpu);
}

/** Online CPUs, from /sys/devices/system/cpu/online ("0-3,6"). */
export function onlineCpus(): number[] {
  try {
    const text = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
    const out: number[] = [];
    for (const part of text.split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let c = a!; c <= (b ?? a!); c++) out.push(c);
    }
    return out;
  } catch {
    return readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d)).map((d) => Number(d.slice(3)));
  }
}

/** A program attached to one perf event per online CPU; close() detaches and closes them all. */
export class PerfAttachment {
  constructor(
    readonly events: PerfEvent[],
    readonly links: BpfLink[],
  ) {}
  close(): void {
    for (const l of this.links) l.destroy();
    for (const e of this.events) e.close();
  }
}

/** Samples every online CPU at `frequency` Hz (cpu-clock) into `prog`. */
export function attachPerfEventAllCpus(prog: BpfProgram, spec: Omit<PerfEventSpec, 'cpu'> = { frequency: 99 }): PerfAttachment {
  const events: PerfEvent[] = [];
  const links: BpfLink[] = [];
  try {
    for (const cpu of onlineCpus()) {
      const ev = openPerfEvent({ ...spec, cpu });
      events.push(ev);
      links.push(prog.attachPerfEvent(ev.fd));
    }
  } catch (e) {
    new PerfAttachment(events, links).close();
    throw e;
  }
  return new PerfAttachment(events, links);
}
