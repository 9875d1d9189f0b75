import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';

/**
 * Plugins declare @nixie/core as a peer dependency: they must share this process's core (its
 * hooks and error classes), so the plugins folder gets a link to it instead of a second copy.
 */
function linkCore(dir: string): void {
  const coreDir = path.dirname(path.dirname(path.dirname(createRequire(import.meta.url).resolve('@nixie/core'))));
  const link = path.join(dir, 'node_modules', '@nixie', 'core');
  mkdirSync(path.dirname(link), { recursive: true });
  rmSync(link, { recursive: true, force: true });
  symlinkSync(coreDir, link, 'dir');
}

/** Installs an npm package spec into `dir` (its own package.json); returns the installed package's name. */
export function npmInstall(dir: string, spec: string): string {
  mkdirSync(dir, { recursive: true });
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name: 'nixie-plugins', private: true, dependencies: {} }, null, 2) + '\n');
  const before = dependencies(manifest);
  // A local folder is installed as a copy, so that the plugin stays put if the folder moves.
  const target = existsSync(spec) ? path.resolve(spec) : spec;
  const args = ['install', '--prefix', dir, '--no-audit', '--no-fund', '--legacy-peer-deps', existsSync(spec) ? '--install-links' : '', target].filter(Boolean);
  process.stderr.write(`installing ${spec} into ${dir} ...\n`);
  const r = spawnSync('npm', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) throw new Error(`cannot run npm: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`npm install ${spec} failed (exit ${r.status}); see npm's message above`);
  linkCore(dir);
  const after = dependencies(manifest);
  const added = Object.keys(after).find((k) => before[k] !== after[k]) ?? Object.keys(after).find((k) => spec === k || spec.startsWith(k + '@'));
  if (!added) throw new Error(`npm installed ${spec} but no new dependency appeared in ${manifest}`);
  return added;
}

/** Removes a package from `dir`. */
export function npmUninstall(dir: string, name: string): void {
  const r = spawnSync('npm', ['uninstall', '--prefix', dir, '--no-audit', '--no-fund', '--legacy-peer-deps', name], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm uninstall ${name} failed (exit ${r.status})`);
  linkCore(dir);
}

function dependencies(manifest: string): Record<string, string> {
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
}

/** Imports a plugin module and checks it has the plugin shape; returns its declared name. */
export async function checkPluginModule(file: string, pkg: string): Promise<string> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: { name?: unknown; apply?: unknown } };
  const p = mod.default;
  if (!p || typeof p.name !== 'string' || typeof p.apply !== 'function') {
    throw new Error(`${pkg} is not a Nixie plugin: its default export needs a name and an apply(host) function`);
  }
  return p.name;
}

/** Sets (or with `undefined`, deletes) plugins[name] in a YAML config file, keeping its comments. */
export function setPluginInConfig(file: string, name: string, value: boolean | undefined): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = parseDocument(text);
  if (value === undefined) {
    doc.deleteIn(['plugins', name]);
  } else if (!doc.hasIn(['plugins', name]) || typeof doc.getIn(['plugins', name]) !== 'object' || value === false) {
    doc.setIn(['plugins', name], value);
  }
  writeFileSync(file, doc.toString());
}
