/** Checks of the environment that turn the kernel's terse errnos into errors a user can act on. */
import { existsSync, readFileSync } from 'node:fs';
import { createBpfError } from './errors.js';

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

/** Effective capabilities of this process, as a bigint bit set (from /proc/self/status). */
export function effectiveCapabilities(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

const has = (caps: bigint, cap: number): boolean => (caps & (1n << BigInt(cap))) !== 0n;

/** Whether this process may load tracing BPF programs: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON. */
export function hasBpfPrivileges(): boolean {
  const caps = effectiveCapabilities();
  return has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON));
}

/** Throws NIXIE_ERR_BPF_PERMISSION when the process lacks the privileges to load BPF. */
export function assertPrivileges(what: string): void {
  if (!hasBpfPrivileges()) {
    const uid = process.getuid?.() ?? -1;
    throw createBpfError('NIXIE_ERR_BPF_PERMISSION', `${what} (uid ${uid}, no CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN)`);
  }
}

/** Throws NIXIE_ERR_BPF_NO_BTF when the kernel exposes no BTF. */
export function assertBtf(): void {
  if (!existsSync('/sys/kernel/btf/vmlinux')) throw createBpfError('NIXIE_ERR_BPF_NO_BTF');
}

const TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** Where tracefs is mounted, or undefined. */
export function tracefsPath(): string | undefined {
  return TRACEFS.find((p) => existsSync(`${p}/events`));
}

/** Throws NIXIE_ERR_BPF_NO_TRACEFS when tracefs is not mounted. */
export function assertTracefs(): void {
  if (!tracefsPath()) throw createBpfError('NIXIE_ERR_BPF_NO_TRACEFS', `${TRACEFS[0]}/events`);
}
