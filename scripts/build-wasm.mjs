// Compiles every package's wasm/*.c to <package>/dist/wasm/<name>.wasm (clang --target=wasm32, no libc).
// Every module imports one memory, the agent's byte heap (@nixie/core heap.ts), so its code reads and writes the
// heap's blocks in place; each gets its own slot of the heap's reserved low bytes for its static data and stack
// (modules in path order, SLOT bytes each), and exports __heap_base so the loader can check it stayed inside.
// Up to date outputs are skipped. Without clang or wasm-ld the packages run their JS code instead: say so, go on.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const FLAGS = [
  '--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-nostdlib', '-Wall', '-Wextra', '-Werror',
  '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--export=__heap_base', '-Wl,-z,stack-size=65536',
];
/** Bytes of the heap's reserved low part (RESERVED_LOW in core/src/heap.ts) given to each module. */
const SLOT = 1024 * 1024;
const SLOTS = 8;

function packages() {
  const out = [];
  for (const top of ['core', 'agent', 'plugins', 'vizier', 'cloud']) {
    const dir = path.join(root, top);
    if (!existsSync(dir)) continue;
    if (existsSync(path.join(dir, 'package.json'))) out.push(dir);
    for (const sub of readdirSync(dir)) {
      const p = path.join(dir, sub);
      if (existsSync(path.join(p, 'package.json'))) out.push(p);
    }
  }
  return out;
}

/** Why nothing can be built here, or ''. */
function toolchainMissing() {
  for (const tool of ['clang', 'wasm-ld']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not found`;
  }
  return '';
}

const missing = toolchainMissing();
const sources = [];
for (const pkg of packages()) {
  const src = path.join(pkg, 'wasm');
  if (!existsSync(src)) continue;
  for (const file of readdirSync(src).filter((f) => f.endsWith('.c')).sort()) sources.push({ pkg, src, file });
}
if (sources.length > SLOTS) {
  console.error(`nixie build: ${sources.length} WebAssembly modules, the byte heap has slots for ${SLOTS}`);
  process.exit(1);
}
for (const [slot, { pkg, src, file }] of sources.entries()) {
  {
    const input = path.join(src, file);
    const output = path.join(pkg, 'dist', 'wasm', file.replace(/\.c$/, '.wasm'));
    if (existsSync(output) && statSync(output).mtimeMs >= statSync(input).mtimeMs) continue;
    if (missing) continue;
    mkdirSync(path.dirname(output), { recursive: true });
    // Slot 0 starts at 1 KiB: address 0 stays null.
    const base = Math.max(slot * SLOT, 1024);
    const r = spawnSync('clang', [...FLAGS, `-Wl,--global-base=${base}`, '-o', output, input], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
    console.error(`nixie build: ${path.relative(root, output)}`);
  }
}
if (missing) console.error(`nixie build: WebAssembly parsers not built (${missing}; apt-get install clang lld): the JS parsers are used`);
