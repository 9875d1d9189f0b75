// Lists the workspace folders named by the root package.json ("dir" or "dir/*" patterns only).
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Workspace folders, relative to the root, that hold a package.json. */
export function workspaceDirs() {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of pkg.workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(path.join(root, parent))) continue;
      for (const e of readdirSync(path.join(root, parent), { withFileTypes: true })) {
        if (e.isDirectory()) dirs.push(`${parent}/${e.name}`);
      }
    } else {
      dirs.push(pattern);
    }
  }
  return dirs.filter((d) => existsSync(path.join(root, d, 'package.json')));
}
