/** A BPF object file: open, set load-time constants, size maps, load, attach, close. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assertBtf, assertPrivileges, hasBpfPrivileges } from './checks.js';
import { createBpfError, type NixieBpfError } from './errors.js';
import { installLogger, linesSince, logMark } from './log.js';
import { BpfMap } from './map.js';
import { errno, getNative, readU32, type Native, type Ptr } from './native.js';
import { BpfLink, BpfProgram } from './program.js';
import { strerror } from './util.js';

const BTF_KIND_VAR = 14;
const BTF_KIND_DATASEC = 15;
const VERIFIER_TAIL_LINES = 30;

/** A load-time constant (a `const volatile` global in .rodata). */
interface ConstantSlot {
  readonly offset: number;
  readonly size: number;
}

/** An opened BPF object. Lifecycle: open → setConstant/map sizing → load → attach → close. */
export class BpfObject {
  private readonly n: Native;
  private ptr: Ptr | undefined;
  private loaded = false;
  private readonly mapsByName = new Map<string, BpfMap>();
  private readonly progsByName = new Map<string, BpfProgram>();
  private readonly links: BpfLink[] = [];
  private constants: Map<string, ConstantSlot> | undefined;

  private constructor(
    readonly file: string,
    ptr: Ptr,
  ) {
    this.n = getNative();
    this.ptr = ptr;
    for (let m = this.n.bpf_object__next_map(ptr, null); m; m = this.n.bpf_object__next_map(ptr, m)) {
      const name = this.n.bpf_map__name(m);
      this.mapsByName.set(name, new BpfMap(m, name));
    }
    for (let p = this.n.bpf_object__next_program(ptr, null); p; p = this.n.bpf_object__next_program(ptr, p)) {
      const prog = new BpfProgram(p, this.n.bpf_program__name(p), this.n.bpf_program__section_name(p));
      this.progsByName.set(prog.name, prog);
    }
  }

  /** Opens (parses) an object file; nothing reaches the kernel yet. */
  static open(file: string): BpfObject {
    const abs = path.resolve(file);
    if (!existsSync(abs)) throw createBpfError('NIXIE_ERR_BPF_OBJECT_NOT_FOUND', abs);
    const n = getNative();
    installLogger();
    const mark = logMark();
    const ptr = n.bpf_object__open_file(abs, null);
    if (!ptr) {
      const e = errno();
      throw createBpfError('NIXIE_ERR_BPF_OPEN', abs, `${strerror(e)}${tail(linesSince(mark), 5)}`);
    }
    return new BpfObject(abs, ptr);
  }

  private get handle(): Ptr {
    if (this.ptr === undefined) throw createBpfError('NIXIE_ERR_BPF_STATE', this.file, 'the object is closed');
    return this.ptr;
  }

  /** Whether load() has succeeded. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The map named `name` (for .rodata/.bss, the libbpf internal name). */
  map(name: string): BpfMap {
    const m = this.mapsByName.get(name);
    if (!m) throw createBpfError('NIXIE_ERR_BPF_NOT_FOUND', this.file, 'map', name, [...this.mapsByName.keys()].join(', '));
    return m;
  }

  /** Names of every map. */
  mapNames(): string[] {
    return [...this.mapsByName.keys()];
  }

  /** The program named `name` (its C function name). */
  program(name: string): BpfProgram {
    const p = this.progsByName.get(name);
    if (!p) throw createBpfError('NIXIE_ERR_BPF_NOT_FOUND', this.file, 'program', name, [...this.progsByName.keys()].join(', '));
    return p;
  }

  /** Every program of the object. */
  programs(): BpfProgram[] {
    return [...this.progsByName.values()];
  }

  private constantSlots(): Map<string, ConstantSlot> {
    if (this.constants) return this.constants;
    const slots = new Map<string, ConstantSlot>();
    const btf = this.n.bpf_object__btf(this.handle);
    if (btf) {
      const id = this.n.btf__find_by_name_kind(btf, '.rodata', BTF_KIND_DATASEC);
      const t = id > 0 ? this.n.btf__type_by_id(btf, id) : null;
      if (t) {
        // struct btf_type { u32 name_off; u32 info; u32 size; } then vlen × btf_var_secinfo { type, offset, size }.
        const vlen = readU32(t + 4n) & 0xffff;
        for (let i = 0; i < vlen; i++) {
          const si = t + 12n + BigInt(i * 12);
          const varType = this.n.btf__type_by_id(btf, readU32(si));
          if (!varType || ((readU32(varType + 4n) >>> 24) & 0x1f) !== BTF_KIND_VAR) continue;
          const name = this.n.btf__name_by_offset(btf, readU32(varType));
          if (name) slots.set(name, { offset: readU32(si + 4n), size: readU32(si + 8n) });
        }
      }
    }
    this.constants = slots;
    return slots;
  }

  /** Names of the load-time constants (`const volatile` globals). */
  constantNames(): string[] {
    return [...this.constantSlots().keys()];
  }

  /** Sets a `const volatile` global before load: numbers, bigints and booleans by the variable's size, or raw bytes. */
  setConstant(name: string, value: number | bigint | boolean | Buffer): void {
    if (this.loaded) throw createBpfError('NIXIE_ERR_BPF_STATE', `constant ${name}`, 'constants can only be set before load');
    const slot = this.constantSlots().get(name);
    if (!slot) throw createBpfError('NIXIE_ERR_BPF_NOT_FOUND', this.file, 'constant', name, this.constantNames().join(', '));
    const rodata = [...this.mapsByName.values()].find((m) => m.name.endsWith('.rodata'));
    if (!rodata) throw createBpfError('NIXIE_ERR_BPF_NOT_FOUND', this.file, 'map', '.rodata', this.mapNames().join(', '));
    const size = new BigUint64Array(1);
    const base = this.n.bpf_map__initial_value(rodata.ptr, size);
    if (!base || slot.offset + slot.size > Number(size[0])) {
      throw createBpfError('NIXIE_ERR_BPF_STATE', `constant ${name}`, '.rodata is not writable');
    }
    const bytes = Buffer.alloc(slot.size);
    if (Buffer.isBuffer(value)) value.copy(bytes, 0, 0, slot.size);
    else {
      const v = typeof value === 'boolean' ? BigInt(value ? 1 : 0) : BigInt(value);
      for (let i = 0; i < slot.size; i++) bytes[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    }
    this.n.memcpyTo(base + BigInt(slot.offset), bytes, slot.size);
  }

  /** Loads every program and creates every map in the kernel. Errors say what to fix. */
  load(): void {
    if (this.loaded) return;
    assertPrivileges(`loading ${path.basename(this.file)}`);
    assertBtf();
    const mark = logMark();
    const err = this.n.bpf_object__load(this.handle);
    if (err < 0) throw this.loadError(-err, linesSince(mark));
    this.loaded = true;
    for (const m of this.mapsByName.values()) m.markLoaded();
  }

  private loadError(e: number, log: string[]): NixieBpfError {
    const obj = path.basename(this.file);
    if (e === 1) {
      if (!hasBpfPrivileges()) return createBpfError('NIXIE_ERR_BPF_PERMISSION', `loading ${obj}`);
      // Privileged, and still EPERM: the kernel (a lockdown, an LSM, a patched kernel) refuses this kind of program.
      const prog = log.map((l) => /prog '([^']+)': BPF program load failed/.exec(l)?.[1]).find((p) => p !== undefined);
      const section = prog ? this.progsByName.get(prog)?.section : undefined;
      const what = prog ? `program ${prog}${section ? ` (${section})` : ''}` : 'a program';
      return createBpfError('NIXIE_ERR_BPF_LOAD', obj, `the kernel refused ${what} with EPERM although this process has the BPF privileges: this kind of program is not allowed on this kernel`, '');
    }
    const begin = log.findIndex((l) => l.includes('-- BEGIN PROG LOAD LOG --'));
    if (begin >= 0) {
      const prog = /prog '([^']+)'/.exec(log[begin]!)?.[1] ?? '?';
      let end = log.findIndex((l, i) => i > begin && l.includes('-- END PROG LOAD LOG --'));
      if (end < 0) end = log.length;
      const verifier = log.slice(begin + 1, end);
      return createBpfError('NIXIE_ERR_BPF_VERIFIER', prog, obj, strerror(e), verifier.slice(-VERIFIER_TAIL_LINES).join('\n'));
    }
    return createBpfError('NIXIE_ERR_BPF_LOAD', obj, strerror(e), tail(log, 10));
  }

  /**
   * Attaches every loaded program whose section libbpf can attach by itself (tracepoints, raw tracepoints,
   * fentry/fexit, ...); programs left out of the load (setAutoload(false)) are skipped.
   */
  attachAll(filter: (p: BpfProgram) => boolean = () => true): BpfLink[] {
    void this.handle; // throws if closed
    const made: BpfLink[] = [];
    for (const p of this.progsByName.values()) {
      if (!filter(p) || !p.autoAttachable || !p.loaded) continue;
      made.push(this.track(p.attach()));
    }
    return made;
  }

  /** Keeps `link` so that close() destroys it; returns it. */
  track(link: BpfLink): BpfLink {
    this.links.push(link);
    return link;
  }

  /** Detaches every link and frees the object (maps and programs leave the kernel when unreferenced). */
  close(): void {
    for (const l of this.links.splice(0)) l.destroy();
    if (this.ptr !== undefined) {
      this.n.bpf_object__close(this.ptr);
      this.ptr = undefined;
    }
  }
}

function tail(lines: string[], n: number): string {
  const t = lines.slice(-n);
  return t.length ? `\n${t.join('\n')}` : '';
}
