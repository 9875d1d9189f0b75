/**
 * The FFI layer: the few libbpf and libc functions libbpf-ts calls, declared once with koffi and given
 * TypeScript signatures. Pointers are bigint (koffi 3); 0n stands for NULL.
 */
import koffi, { type LibraryHandle, type TypeObject } from 'koffi';
import { createBpfError } from './errors.js';

/** A C pointer as koffi 3 hands it over (0n for NULL). */
export type Ptr = bigint;

type Fn<A extends unknown[], R> = (...args: A) => R;

/** libbpf and libc entry points, typed. */
export interface Native {
  // libbpf
  libbpf_set_print: Fn<[Ptr | null], Ptr | null>;
  libbpf_num_possible_cpus: Fn<[], number>;
  libbpf_strerror: Fn<[number, Buffer, number], number>;
  bpf_object__open_file: Fn<[string, Ptr | null], Ptr | null>;
  bpf_object__load: Fn<[Ptr], number>;
  bpf_object__close: Fn<[Ptr], void>;
  bpf_object__btf: Fn<[Ptr], Ptr | null>;
  bpf_object__next_map: Fn<[Ptr, Ptr | null], Ptr | null>;
  bpf_object__next_program: Fn<[Ptr, Ptr | null], Ptr | null>;
  bpf_map__name: Fn<[Ptr], string>;
  bpf_map__fd: Fn<[Ptr], number>;
  bpf_map__type: Fn<[Ptr], number>;
  bpf_map__key_size: Fn<[Ptr], number>;
  bpf_map__value_size: Fn<[Ptr], number>;
  bpf_map__max_entries: Fn<[Ptr], number>;
  bpf_map__set_max_entries: Fn<[Ptr, number], number>;
  bpf_map__is_internal: Fn<[Ptr], boolean>;
  bpf_map__initial_value: Fn<[Ptr, BigUint64Array], Ptr | null>;
  bpf_map__reuse_fd: Fn<[Ptr, number], number>;
  bpf_program__name: Fn<[Ptr], string>;
  bpf_program__section_name: Fn<[Ptr], string>;
  bpf_program__set_autoload: Fn<[Ptr, boolean], number>;
  bpf_program__attach: Fn<[Ptr], Ptr | null>;
  bpf_program__attach_tracepoint: Fn<[Ptr, string, string], Ptr | null>;
  bpf_program__attach_raw_tracepoint: Fn<[Ptr, string], Ptr | null>;
  bpf_program__attach_perf_event: Fn<[Ptr, number], Ptr | null>;
  bpf_program__attach_uprobe_opts: Fn<[Ptr, number, string, number, UprobeOpts], Ptr | null>;
  bpf_program__fd: Fn<[Ptr], number>;
  bpf_obj_get_info_by_fd: Fn<[number, Buffer, Uint32Array], number>;
  bpf_enable_stats: Fn<[number], number>;
  bpf_link__destroy: Fn<[Ptr], number>;
  bpf_map_lookup_elem: Fn<[number, Buffer, Buffer], number>;
  bpf_map_update_elem: Fn<[number, Buffer, Buffer, number], number>;
  bpf_map_delete_elem: Fn<[number, Buffer], number>;
  bpf_map_get_next_key: Fn<[number, Buffer | null, Buffer], number>;
  btf__find_by_name_kind: Fn<[Ptr, string, number], number>;
  btf__type_by_id: Fn<[Ptr, number], Ptr | null>;
  btf__name_by_offset: Fn<[Ptr, number], string | null>;
  // libc
  vsnprintf: Fn<[Buffer, number, Ptr, Ptr], number>;
  mmap: Fn<[Ptr | null, number, number, number, number, number], Ptr>;
  munmap: Fn<[Ptr, number], number>;
  close: Fn<[number], number>;
  ioctl: Fn<[number, number, number], number>;
  getpagesize: Fn<[], number>;
  /** syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags) */
  perf_event_open: (attr: Buffer, pid: number, cpu: number, groupFd: number, flags: number) => number;
  /** Copies `len` bytes at `ptr` into `dst` (memcpy). */
  memcpy: Fn<[Buffer, Ptr, number], Ptr>;
  /** Copies `len` bytes of `src` to `ptr` (memcpy). */
  memcpyTo: Fn<[Ptr, Buffer, number], Ptr>;
}

/** The print callback's koffi prototype: int (*)(enum libbpf_print_level, const char *fmt, va_list ap). */
export const PRINT_FN = koffi.proto('int nixie_libbpf_print_fn(int level, void *fmt, void *ap)');

/** struct bpf_uprobe_opts of libbpf 1.1. */
export interface UprobeOpts {
  sz: number;
  ref_ctr_offset: number;
  bpf_cookie: number;
  retprobe: boolean;
  func_name: string | null;
}

let native: Native | undefined;

/** Loads libbpf.so.1 and libc once; throws NIXIE_ERR_BPF_LIBBPF_MISSING if libbpf is not installed. */
export function getNative(): Native {
  if (native) return native;
  let bpf: LibraryHandle;
  try {
    bpf = koffi.load('libbpf.so.1');
  } catch (e) {
    throw createBpfError('NIXIE_ERR_BPF_LIBBPF_MISSING', e instanceof Error ? e.message : String(e));
  }
  const c = koffi.load('libc.so.6');
  koffi.struct('nixie_bpf_uprobe_opts', {
    sz: 'size_t',
    ref_ctr_offset: 'size_t',
    bpf_cookie: 'uint64_t',
    retprobe: 'bool',
    func_name: 'const char *',
  });
  const SYS_perf_event_open = 298; // x86_64
  const syscall = c.func('long syscall(long nr, ...)');
  const fn = <T>(lib: LibraryHandle, decl: string): T => lib.func(decl) as unknown as T;
  native = {
    libbpf_set_print: fn(bpf, 'void *libbpf_set_print(void *fn)'),
    libbpf_num_possible_cpus: fn(bpf, 'int libbpf_num_possible_cpus()'),
    libbpf_strerror: fn(bpf, 'int libbpf_strerror(int err, _Out_ uint8_t *buf, size_t size)'),
    bpf_object__open_file: fn(bpf, 'void *bpf_object__open_file(const char *path, void *opts)'),
    bpf_object__load: fn(bpf, 'int bpf_object__load(void *obj)'),
    bpf_object__close: fn(bpf, 'void bpf_object__close(void *obj)'),
    bpf_object__btf: fn(bpf, 'void *bpf_object__btf(void *obj)'),
    bpf_object__next_map: fn(bpf, 'void *bpf_object__next_map(void *obj, void *prev)'),
    bpf_object__next_program: fn(bpf, 'void *bpf_object__next_program(void *obj, void *prev)'),
    bpf_map__name: fn(bpf, 'const char *bpf_map__name(void *map)'),
    bpf_map__fd: fn(bpf, 'int bpf_map__fd(void *map)'),
    bpf_map__type: fn(bpf, 'int bpf_map__type(void *map)'),
    bpf_map__key_size: fn(bpf, 'uint32_t bpf_map__key_size(void *map)'),
    bpf_map__value_size: fn(bpf, 'uint32_t bpf_map__value_size(void *map)'),
    bpf_map__max_entries: fn(bpf, 'uint32_t bpf_map__max_entries(void *map)'),
    bpf_map__set_max_entries: fn(bpf, 'int bpf_map__set_max_entries(void *map, uint32_t n)'),
    bpf_map__is_internal: fn(bpf, 'bool bpf_map__is_internal(void *map)'),
    bpf_map__initial_value: fn(bpf, 'void *bpf_map__initial_value(void *map, _Out_ uint64_t *psize)'),
    bpf_map__reuse_fd: fn(bpf, 'int bpf_map__reuse_fd(void *map, int fd)'),
    bpf_program__name: fn(bpf, 'const char *bpf_program__name(void *prog)'),
    bpf_program__section_name: fn(bpf, 'const char *bpf_program__section_name(void *prog)'),
    bpf_program__set_autoload: fn(bpf, 'int bpf_program__set_autoload(void *prog, bool autoload)'),
    bpf_program__attach: fn(bpf, 'void *bpf_program__attach(void *prog)'),
    bpf_program__attach_tracepoint: fn(bpf, 'void *bpf_program__attach_tracepoint(void *prog, const char *cat, const char *name)'),
    bpf_program__attach_raw_tracepoint: fn(bpf, 'void *bpf_program__attach_raw_tracepoint(void *prog, const char *name)'),
    bpf_program__attach_perf_event: fn(bpf, 'void *bpf_program__attach_perf_event(void *prog, int pfd)'),
    bpf_program__attach_uprobe_opts: fn(
      bpf,
      'void *bpf_program__attach_uprobe_opts(void *prog, int pid, const char *path, size_t off, const nixie_bpf_uprobe_opts *opts)',
    ),
    bpf_program__fd: fn(bpf, 'int bpf_program__fd(void *prog)'),
    bpf_obj_get_info_by_fd: fn(bpf, 'int bpf_obj_get_info_by_fd(int fd, _Inout_ uint8_t *info, _Inout_ uint32_t *len)'),
    bpf_enable_stats: fn(bpf, 'int bpf_enable_stats(int type)'),
    bpf_link__destroy: fn(bpf, 'int bpf_link__destroy(void *link)'),
    bpf_map_lookup_elem: fn(bpf, 'int bpf_map_lookup_elem(int fd, const uint8_t *key, _Out_ uint8_t *value)'),
    bpf_map_update_elem: fn(bpf, 'int bpf_map_update_elem(int fd, const uint8_t *key, const uint8_t *value, uint64_t flags)'),
    bpf_map_delete_elem: fn(bpf, 'int bpf_map_delete_elem(int fd, const uint8_t *key)'),
    bpf_map_get_next_key: fn(bpf, 'int bpf_map_get_next_key(int fd, const uint8_t *key, _Out_ uint8_t *next)'),
    btf__find_by_name_kind: fn(bpf, 'int btf__find_by_name_kind(void *btf, const char *name, uint32_t kind)'),
    btf__type_by_id: fn(bpf, 'void *btf__type_by_id(void *btf, uint32_t id)'),
    btf__name_by_offset: fn(bpf, 'const char *btf__name_by_offset(void *btf, uint32_t off)'),
    vsnprintf: fn(c, 'int vsnprintf(_Out_ uint8_t *buf, size_t size, void *fmt, void *ap)'),
    mmap: fn(c, 'void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)'),
    munmap: fn(c, 'int munmap(void *addr, size_t len)'),
    close: fn(c, 'int close(int fd)'),
    ioctl: fn(c, 'int ioctl(int fd, unsigned long req, unsigned long arg)'),
    getpagesize: fn(c, 'int getpagesize()'),
    perf_event_open: (attr, pid, cpu, groupFd, flags) =>
      Number(
        syscall(SYS_perf_event_open, 'uint8_t *', attr, 'int', pid, 'int', cpu, 'int', groupFd, 'unsigned long', flags) as
          | number
          | bigint,
      ),
    memcpy: fn(c, 'void *memcpy(_Out_ uint8_t *dst, void *src, size_t n)'),
    memcpyTo: fn(c, 'void *memcpy(void *dst, const uint8_t *src, size_t n)'),
  };
  return native;
}

/** The current errno (read right after the failing call). */
export const errno = (): number => koffi.errno();

/** Creates an ArrayBuffer over `len` bytes of native memory at `ptr`, without copy. */
export const view = (ptr: Ptr, len: number): ArrayBuffer => koffi.view(ptr, len);

/** Registers a JS function as a C callback of `proto` for as long as the process lives (or until unregister). */
export const register = (fn: (...args: never[]) => unknown, proto: TypeObject): bigint =>
  koffi.register(fn, koffi.pointer(proto));

/** Reads a u32 at a native address. */
export const readU32 = (ptr: Ptr): number => koffi.decode.uint32(ptr);

/** Reads a NUL-terminated string at a native address. */
export const readCString = (ptr: Ptr): string => String(koffi.decode(ptr, "char *"));
