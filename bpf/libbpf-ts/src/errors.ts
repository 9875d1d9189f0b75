/**
 * libbpf-ts's coded errors. Each code has a message template (%s filled in order) and a line of docs;
 * README.md lists them and test/errors.test.ts keeps the two in step.
 */
export const ERROR_CODES = Object.freeze({
  NIXIE_ERR_BPF_LIBBPF_MISSING: {
    message: 'cannot load the system libbpf (%s): install the apt package libbpf1 (libbpf-dev to build)',
    doc: 'libbpf.so.1 could not be loaded.',
  },
  NIXIE_ERR_BPF_PERMISSION: {
    message: '%s: permission denied; BPF needs root or the capabilities CAP_BPF and CAP_PERFMON (run with sudo, or setcap cap_bpf,cap_perfmon+ep on node)',
    doc: 'The process is not root and lacks CAP_BPF/CAP_PERFMON (or CAP_SYS_ADMIN).',
  },
  NIXIE_ERR_BPF_NO_BTF: {
    message: 'the kernel has no BTF (/sys/kernel/btf/vmlinux is missing): CO-RE programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y',
    doc: 'The running kernel exposes no BTF type information.',
  },
  NIXIE_ERR_BPF_NO_TRACEFS: {
    message: 'tracefs is not mounted (no %s): mount it with `mount -t tracefs nodev /sys/kernel/tracing`',
    doc: 'Tracepoints need tracefs to resolve their ids.',
  },
  NIXIE_ERR_BPF_OBJECT_NOT_FOUND: {
    message: 'BPF object %s not found: build it with `npm run build` (needs clang llvm libbpf-dev bpftool)',
    doc: 'The compiled .bpf.o file is missing.',
  },
  NIXIE_ERR_BPF_OPEN: { message: 'cannot open BPF object %s: %s', doc: 'libbpf could not parse the object file.' },
  NIXIE_ERR_BPF_VERIFIER: {
    message: 'the kernel verifier rejected program %s of %s: %s\n--- last lines of the verifier log ---\n%s',
    doc: 'The BPF verifier refused a program; the message ends with the last lines of its log.',
  },
  NIXIE_ERR_BPF_LOAD: {
    message: 'cannot load BPF object %s: %s%s',
    doc: 'bpf_object__load failed for a reason other than the verifier; also EPERM for a privileged process (a program type the kernel does not allow, e.g. fentry/fexit where BPF trampolines are blocked).',
  },
  NIXIE_ERR_BPF_ATTACH: { message: 'cannot attach BPF program %s (%s): %s', doc: 'Attaching a program to its hook failed.' },
  NIXIE_ERR_BPF_NOT_FOUND: { message: 'BPF object %s has no %s named %s (has: %s)', doc: 'A map, program or constant name that the object does not define.' },
  NIXIE_ERR_BPF_STATE: { message: '%s: %s', doc: 'A call out of order: setting a constant after load, using a closed object, etc.' },
  NIXIE_ERR_BPF_MAP: { message: 'map %s: %s failed: %s', doc: 'A map operation (lookup, update, delete) failed.' },
  NIXIE_ERR_BPF_PERF_EVENT: { message: 'perf_event_open(%s) failed: %s', doc: 'Opening a perf event for sampling failed.' },
} as const);

export type BpfErrorCode = keyof typeof ERROR_CODES;

/** An error a user can act on; `code` is stable and documented. */
export class NixieBpfError extends Error {
  constructor(
    readonly code: BpfErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NixieError';
  }
}

/** Builds the error for `code`, filling %s in its message with `args` in order. */
export function createBpfError(code: BpfErrorCode, ...args: unknown[]): NixieBpfError {
  let i = 0;
  const message = ERROR_CODES[code].message.replace(/%s/g, () => String(args[i++] ?? ''));
  return new NixieBpfError(code, message);
}

/** Whether a value is a NixieBpfError, with an optional code check. */
export function isNixieBpfError(e: unknown, code?: BpfErrorCode): e is NixieBpfError {
  return e instanceof NixieBpfError && (code === undefined || e.code === code);
}
