// Builds everything: the BPF objects (make in bpf/) and then every TypeScript project (tsc -b).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) {
    console.error(`nixie build: cannot run ${cmd}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (existsSync(path.join(root, 'bpf', 'Makefile'))) {
  if (process.env.NIXIE_SKIP_BPF_BUILD) {
    console.error('nixie build: NIXIE_SKIP_BPF_BUILD set, BPF objects not built');
  } else {
    run('node', ['bpf/scripts/build.mjs']);
  }
}
run('node', ['scripts/build-wasm.mjs']);
run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.json']);

// npm links the `nixie` bin at install time, before this build writes it: make it executable.
const bin = path.join(root, 'cloud', 'cli', 'dist', 'src', 'bin.js');
if (existsSync(bin)) chmodSync(bin, 0o755);
