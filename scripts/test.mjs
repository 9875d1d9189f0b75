// Runs every workspace's compiled tests in one mocha process, so one summary line covers the whole suite.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { root, workspaceDirs } from './workspaces.mjs';

const dirs = workspaceDirs();
const specs = dirs
  .map((d) => path.join(d, 'dist', 'test'))
  .filter((d) => existsSync(path.join(root, d)))
  .map((d) => `${d}/**/*.test.js`);
const extra = process.argv.slice(2);
const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const r = spawnSync(process.execPath, [mocha, ...specs, ...extra], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
