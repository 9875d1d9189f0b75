// `npm run bench -- <name> [args]`: runs bench/<name> at the root or in any workspace.
// Every benchmark prints, as its last line, one JSON object of figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { root, workspaceDirs } from './workspaces.mjs';

const [name, ...args] = process.argv.slice(2);
const dirs = ['.', ...workspaceDirs()];
const candidates = (dir) => [
  path.join(dir, 'bench', `${name}.mjs`),
  path.join(dir, 'bench', `${name}.js`),
  path.join(dir, 'dist', 'bench', `${name}.js`),
];
const all = new Map();
for (const d of dirs) {
  for (const c of candidates(d)) if (existsSync(path.join(root, c))) all.set(c, d);
}
if (!name || all.size === 0) {
  const names = new Set();
  for (const d of dirs) {
    for (const sub of ['bench', 'dist/bench']) {
      const full = path.join(root, d, sub);
      if (!existsSync(full)) continue;
      for (const f of readdirSync(full)) if (/\.m?js$/.test(f)) names.add(f.replace(/\.m?js$/, ''));
    }
  }
  console.error(name ? `nixie bench: no benchmark named "${name}"` : 'usage: npm run bench -- <name> [args]');
  console.error(`benchmarks: ${[...names].sort().join(', ') || '(none built; run npm run build)'}`);
  process.exit(2);
}
const [file] = all.keys();
/** Benchmarks that run the agent in their process get the runtime flags of the nixie bin (cloud/cli/src/bin.ts). */
const HOSTS_AGENT = new Set(['overhead', 'http-replay', 'completeness']);
const agentFlags = HOSTS_AGENT.has(name) ? ['--single-threaded-gc', '--min-semi-space-size=8', '--initial-old-space-size=64'] : [];
const r = spawnSync(process.execPath, ['--expose-gc', ...agentFlags, path.join(root, file), ...args], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
