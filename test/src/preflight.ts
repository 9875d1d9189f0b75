import { existsSync } from 'node:fs';

/** Why BPF tests cannot run here, or undefined if they can (root and BTF). Tests print it when they skip. */
export function canTraceBpf(): string | undefined {
  if (process.getuid?.() !== 0) return 'BPF tests need root (run as root, as CI does)';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'BPF tests need a kernel with BTF (/sys/kernel/btf/vmlinux)';
  return undefined;
}
