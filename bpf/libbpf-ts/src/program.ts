/** A BPF program of an object, and the links that attach it. */
import { assertPrivileges, assertTracefs } from './checks.js';
import { createBpfError } from './errors.js';
import { linesSince, logMark } from './log.js';
import { errno, getNative, type Native, type Ptr } from './native.js';
import { strerror } from './util.js';

/** A live attachment; destroy() detaches it. */
export class BpfLink {
  private ptr: Ptr | undefined;
  constructor(
    ptr: Ptr,
    readonly description: string,
    private readonly onDestroy?: () => void,
  ) {
    this.ptr = ptr;
  }
  /** Detaches (idempotent). */
  destroy(): void {
    if (this.ptr === undefined) return;
    getNative().bpf_link__destroy(this.ptr);
    this.ptr = undefined;
    this.onDestroy?.();
  }
  get attached(): boolean {
    return this.ptr !== undefined;
  }
}

/** Where to put a uprobe. */
export interface UprobeTarget {
  /** Path of the executable or shared library. */
  binary: string;
  /** Symbol to probe (needs the binary's symbol table); or use `offset`. */
  func?: string;
  /** Offset in the file (or within `func` when given). */
  offset?: number;
  /** Only this process (-1 or undefined: every process). */
  pid?: number;
  /** Probe the function's return instead of its entry. */
  retprobe?: boolean;
}

/** What the kernel counted for one program while run statistics were on (see enableRunStats). */
export interface ProgramRunStats {
  /** Time spent running the program, ns. */
  runTimeNs: number;
  /** Times it ran. */
  runCount: number;
}

// struct bpf_prog_info (linux/bpf.h): id, run_time_ns and run_cnt offsets, and the size we ask the kernel for.
const INFO_ID = 4;
const INFO_RUN_TIME_NS = 192;
const INFO_RUN_CNT = 200;
const INFO_SIZE = 232;
/** enum bpf_stats_type: BPF_STATS_RUN_TIME. */
const BPF_STATS_RUN_TIME = 0;

/**
 * Turns on the kernel's per-program run time and count (as sysctl kernel.bpf_stats_enabled, but only for as
 * long as the returned handle is open). They cost two clock reads per program run.
 */
export function enableRunStats(): { close(): void } {
  const n = getNative();
  const fd = n.bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (fd < 0) {
    const e = -fd;
    if (e === 1 || e === 13) assertPrivileges('enabling BPF run statistics');
    throw createBpfError('NIXIE_ERR_BPF_STATE', 'BPF run statistics', `cannot be enabled: ${strerror(e)}`);
  }
  let open = true;
  return {
    close: () => {
      if (open) n.close(fd);
      open = false;
    },
  };
}

const AUTO_PREFIXES = ['tracepoint/', 'tp/', 'raw_tracepoint/', 'raw_tp/', 'tp_btf/', 'uprobe/', 'uretprobe/', 'fentry/', 'fexit/'];

/** One program; its name is the C function's name, its section says where it attaches. */
export class BpfProgram {
  private readonly n: Native;
  constructor(
    readonly ptr: Ptr,
    readonly name: string,
    readonly section: string,
  ) {
    this.n = getNative();
  }

  /** Whether attach() can work out the hook from the section name alone. */
  get autoAttachable(): boolean {
    return AUTO_PREFIXES.some((p) => this.section.startsWith(p));
  }

  /** The program's fd once loaded (negative before). */
  get fd(): number {
    return this.n.bpf_program__fd(this.ptr);
  }

  /** Whether the program is in the kernel (false before load, and for a program whose autoload was turned off). */
  get loaded(): boolean {
    return this.fd >= 0;
  }

  private info(): Buffer {
    const fd = this.fd;
    if (fd < 0) throw createBpfError('NIXIE_ERR_BPF_STATE', `program ${this.name}`, 'is not loaded');
    const info = Buffer.alloc(INFO_SIZE);
    const len = new Uint32Array([INFO_SIZE]);
    const err = this.n.bpf_obj_get_info_by_fd(fd, info, len);
    if (err < 0) throw createBpfError('NIXIE_ERR_BPF_STATE', `program ${this.name}`, `info: ${strerror(-err)}`);
    return info;
  }

  /** The kernel's id of the loaded program (as `bpftool prog show` and `bpftool link show` print it). */
  get id(): number {
    return this.info().readUInt32LE(INFO_ID);
  }

  /** Run time and count so far (both stay 0 unless run statistics are on: enableRunStats). */
  runStats(): ProgramRunStats {
    const info = this.info();
    return { runTimeNs: Number(info.readBigUInt64LE(INFO_RUN_TIME_NS)), runCount: Number(info.readBigUInt64LE(INFO_RUN_CNT)) };
  }

  /** Whether this program goes to the kernel at load (before load; on by default). attachAll skips one left out. */
  setAutoload(on: boolean): void {
    this.n.bpf_program__set_autoload(this.ptr, on);
  }

  private link(p: Ptr | null, what: string, mark: number): BpfLink {
    if (p) return new BpfLink(p, `${this.name} → ${what}`);
    const e = errno();
    if (e === 1 || e === 13) assertPrivileges(`attaching ${this.name}`);
    if (e === 2 && (this.section.startsWith('tracepoint/') || this.section.startsWith('tp/'))) assertTracefs();
    const extra = linesSince(mark).slice(-3).join(' | ');
    throw createBpfError('NIXIE_ERR_BPF_ATTACH', this.name, what, `${strerror(e)}${extra ? ` — ${extra}` : ''}`);
  }

  /** Attaches where the section says (SEC("tracepoint/syscalls/sys_enter_read") etc.). */
  attach(): BpfLink {
    if (this.section.startsWith('tracepoint/') || this.section.startsWith('tp/')) assertTracefs();
    const mark = logMark();
    return this.link(this.n.bpf_program__attach(this.ptr), this.section, mark);
  }

  /** Attaches to tracepoint `category:name` (e.g. syscalls, sys_enter_read). */
  attachTracepoint(category: string, name: string): BpfLink {
    assertTracefs();
    const mark = logMark();
    return this.link(this.n.bpf_program__attach_tracepoint(this.ptr, category, name), `tracepoint ${category}:${name}`, mark);
  }

  /** Attaches to raw tracepoint `name` (e.g. sched_switch). */
  attachRawTracepoint(name: string): BpfLink {
    const mark = logMark();
    return this.link(this.n.bpf_program__attach_raw_tracepoint(this.ptr, name), `raw tracepoint ${name}`, mark);
  }

  /** Attaches a uprobe (or uretprobe) on a binary's function or offset. */
  attachUprobe(t: UprobeTarget): BpfLink {
    const mark = logMark();
    const opts = { sz: 40, ref_ctr_offset: 0, bpf_cookie: 0, retprobe: t.retprobe ?? false, func_name: t.func ?? null };
    const p = this.n.bpf_program__attach_uprobe_opts(this.ptr, t.pid ?? -1, t.binary, t.offset ?? 0, opts);
    return this.link(p, `${t.retprobe ? 'uretprobe' : 'uprobe'} ${t.binary}:${t.func ?? ''}+${t.offset ?? 0}`, mark);
  }

  /** Attaches to an open perf event (see openPerfEvent); the link owns nothing of the fd. */
  attachPerfEvent(fd: number): BpfLink {
    const mark = logMark();
    return this.link(this.n.bpf_program__attach_perf_event(this.ptr, fd), `perf event fd ${fd}`, mark);
  }
}
