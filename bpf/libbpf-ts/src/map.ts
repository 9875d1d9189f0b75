/** A BPF map: raw byte-level access, and typed views over it with codecs. */
import { createBpfError } from './errors.js';
import { errno, getNative, type Native, type Ptr } from './native.js';
import { strerror } from './util.js';

/** Map types libbpf-ts cares to name (enum bpf_map_type). */
export const MapType = Object.freeze({
  HASH: 1,
  ARRAY: 2,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  STACK_TRACE: 7,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  RINGBUF: 27,
} as const);

/** Encodes and decodes one key or value type of fixed size. */
export interface Codec<T> {
  readonly size: number;
  encode(value: T, buf: Buffer): void;
  decode(buf: Buffer): T;
}

/** Codecs for the usual fixed-size types. */
export const codec = Object.freeze({
  u32: { size: 4, encode: (v: number, b: Buffer) => void b.writeUInt32LE(v), decode: (b: Buffer) => b.readUInt32LE(0) } as Codec<number>,
  i32: { size: 4, encode: (v: number, b: Buffer) => void b.writeInt32LE(v), decode: (b: Buffer) => b.readInt32LE(0) } as Codec<number>,
  u64: {
    size: 8,
    encode: (v: bigint, b: Buffer) => void b.writeBigUInt64LE(v),
    decode: (b: Buffer) => b.readBigUInt64LE(0),
  } as Codec<bigint>,
  u8: { size: 1, encode: (v: number, b: Buffer) => void b.writeUInt8(v), decode: (b: Buffer) => b.readUInt8(0) } as Codec<number>,
  /** Raw bytes of a given size. */
  bytes: (size: number): Codec<Buffer> => ({
    size,
    encode: (v, b) => void v.copy(b, 0, 0, size),
    decode: (b) => Buffer.from(b),
  }),
});

const isPerCpu = (type: number): boolean =>
  type === MapType.PERCPU_ARRAY || type === MapType.PERCPU_HASH || type === MapType.LRU_PERCPU_HASH;

/** One map of a BPF object. Before load only the sizing calls work; after load, the element calls. */
export class BpfMap {
  private readonly n: Native;
  private loaded = false;

  constructor(
    /** libbpf's struct bpf_map *. */
    readonly ptr: Ptr,
    readonly name: string,
  ) {
    this.n = getNative();
  }

  /** Map type (MapType). */
  get type(): number {
    return this.n.bpf_map__type(this.ptr);
  }
  get keySize(): number {
    return this.n.bpf_map__key_size(this.ptr);
  }
  /** Value size as the kernel stores it (per CPU for per-CPU maps). */
  get valueSize(): number {
    return this.n.bpf_map__value_size(this.ptr);
  }
  get maxEntries(): number {
    return this.n.bpf_map__max_entries(this.ptr);
  }
  /** Whether values are per CPU (lookups return one value per possible CPU). */
  get perCpu(): boolean {
    return isPerCpu(this.type);
  }
  /** The map's file descriptor (after load). */
  get fd(): number {
    return this.n.bpf_map__fd(this.ptr);
  }

  /** @internal called by BpfObject after load. */
  markLoaded(): void {
    this.loaded = true;
  }

  /** Sets max_entries (before load); for a ring buffer, its size in bytes. */
  setMaxEntries(n: number): void {
    if (this.loaded) throw createBpfError('NIXIE_ERR_BPF_STATE', `map ${this.name}`, 'max entries can only be set before load');
    const err = this.n.bpf_map__set_max_entries(this.ptr, n);
    if (err < 0) throw createBpfError('NIXIE_ERR_BPF_MAP', this.name, 'set_max_entries', strerror(-err));
  }

  /** Makes this map use an existing map's fd (before load), so two objects share one map. */
  reuse(other: BpfMap): void {
    const err = this.n.bpf_map__reuse_fd(this.ptr, other.fd);
    if (err < 0) throw createBpfError('NIXIE_ERR_BPF_MAP', this.name, `reuse of ${other.name}`, strerror(-err));
  }

  private valueBytes(): number {
    if (!this.perCpu) return this.valueSize;
    return roundUp8(this.valueSize) * possibleCpus();
  }

  private assertLoaded(op: string): void {
    if (!this.loaded) throw createBpfError('NIXIE_ERR_BPF_STATE', `map ${this.name}`, `${op} needs the object loaded`);
  }

  /** Looks up `key`; returns the value bytes (per-CPU maps: one 8-aligned slot per CPU), or undefined. */
  lookup(key: Buffer, out: Buffer = Buffer.alloc(this.valueBytes())): Buffer | undefined {
    this.assertLoaded('lookup');
    const r = this.n.bpf_map_lookup_elem(this.fd, key, out);
    if (r === 0) return out;
    const e = errno();
    if (e === 2) return undefined; // ENOENT
    throw createBpfError('NIXIE_ERR_BPF_MAP', this.name, 'lookup', strerror(e));
  }

  /** Sets `key` to `value` (flags: 0 any, 1 BPF_NOEXIST, 2 BPF_EXIST). */
  update(key: Buffer, value: Buffer, flags = 0): void {
    this.assertLoaded('update');
    if (this.n.bpf_map_update_elem(this.fd, key, value, flags) !== 0) {
      throw createBpfError('NIXIE_ERR_BPF_MAP', this.name, 'update', strerror(errno()));
    }
  }

  /** Deletes `key`; returns whether it was there. */
  delete(key: Buffer): boolean {
    this.assertLoaded('delete');
    if (this.n.bpf_map_delete_elem(this.fd, key) === 0) return true;
    const e = errno();
    if (e === 2) return false;
    throw createBpfError('NIXIE_ERR_BPF_MAP', this.name, 'delete', strerror(e));
  }

  /** Iterates the keys (a copy of each). */
  *keys(): Generator<Buffer> {
    this.assertLoaded('keys');
    let prev: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(this.keySize);
      if (this.n.bpf_map_get_next_key(this.fd, prev, next) !== 0) return;
      yield next;
      prev = next;
    }
  }

  /** A typed view of this map. */
  typed<K, V>(key: Codec<K>, value: Codec<V>): TypedMap<K, V> {
    return new TypedMap(this, key, value);
  }

  /** Sums a per-CPU u64 array/hash value at `key` over all CPUs (for counters). */
  sumPerCpuU64(key: Buffer): bigint {
    const v = this.lookup(key);
    if (!v) return 0n;
    const stride = roundUp8(this.valueSize);
    let sum = 0n;
    for (let off = 0; off + 8 <= v.length; off += stride) sum += v.readBigUInt64LE(off);
    return sum;
  }
}

/** Typed get/set/delete/iterate over a map, through codecs. Per-CPU maps give an array of values. */
export class TypedMap<K, V> {
  private readonly kbuf: Buffer;

  constructor(
    readonly map: BpfMap,
    private readonly k: Codec<K>,
    private readonly v: Codec<V>,
  ) {
    this.kbuf = Buffer.alloc(k.size);
  }

  private encodeKey(key: K): Buffer {
    this.k.encode(key, this.kbuf);
    return this.kbuf;
  }

  /** The value at `key`, or undefined. */
  get(key: K): V | undefined {
    const out = this.map.lookup(this.encodeKey(key));
    return out ? this.v.decode(out) : undefined;
  }

  /** Per-CPU maps: one value per possible CPU. */
  getPerCpu(key: K): V[] | undefined {
    const out = this.map.lookup(this.encodeKey(key));
    if (!out) return undefined;
    const stride = roundUp8(this.v.size);
    const vals: V[] = [];
    for (let off = 0; off + this.v.size <= out.length; off += stride) vals.push(this.v.decode(out.subarray(off, off + this.v.size)));
    return vals;
  }

  /** Sets `key` to `value`. */
  set(key: K, value: V, flags = 0): void {
    const vb = Buffer.alloc(this.map.perCpu ? roundUp8(this.v.size) * possibleCpus() : this.v.size);
    this.v.encode(value, vb);
    if (this.map.perCpu) for (let off = roundUp8(this.v.size); off < vb.length; off += roundUp8(this.v.size)) vb.copy(vb, off, 0, this.v.size);
    this.map.update(this.encodeKey(key), vb, flags);
  }

  /** Deletes `key`; returns whether it was there. */
  delete(key: K): boolean {
    return this.map.delete(this.encodeKey(key));
  }

  /** Iterates [key, value] pairs. */
  *entries(): Generator<[K, V]> {
    for (const kb of this.map.keys()) {
      const out = this.map.lookup(kb);
      if (out) yield [this.k.decode(kb), this.v.decode(out)];
    }
  }
}

const roundUp8 = (n: number): number => (n + 7) & ~7;

let cpus = 0;
/** Number of possible CPUs (the size of per-CPU values). */
export function possibleCpus(): number {
  if (cpus === 0) cpus = getNative().libbpf_num_possible_cpus();
  return cpus;
}
