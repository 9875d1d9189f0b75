// Builds bpf/build/*.bpf.o with make; a missing tool is one clear error naming the apt packages.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const APT = 'clang llvm libbpf-dev bpftool';

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}
const bpftool = which('bpftool') ? 'bpftool' : existsSync('/usr/sbin/bpftool') ? '/usr/sbin/bpftool' : undefined;
const missing = [];
if (!which('clang')) missing.push('clang');
if (!which('make')) missing.push('make');
if (!bpftool) missing.push('bpftool');
if (!existsSync('/usr/include/bpf/bpf_helpers.h')) missing.push('libbpf headers (/usr/include/bpf)');
if (missing.length) {
  console.error(`nixie bpf build: missing ${missing.join(', ')}; install them with: apt-get install ${APT} make`);
  process.exit(1);
}
if (!existsSync('/sys/kernel/btf/vmlinux') && !existsSync(path.join(dir, 'build', 'vmlinux.h'))) {
  console.error('nixie bpf build: /sys/kernel/btf/vmlinux is missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y), so vmlinux.h cannot be generated');
  process.exit(1);
}
const r = spawnSync('make', ['-s', '-C', dir, `BPFTOOL=${bpftool}`], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('nixie bpf build: make failed (see above)');
  process.exit(r.status ?? 1);
}
