import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NixieConfig } from '../config/types.js';
import { createError, NixieError } from '../errors.js';
import type { PluginHost } from './host.js';
import type { NixiePlugin } from './plugin.js';

/** Plugins on by default; `plugins: { name: false }` in nixie.yaml turns one off. */
export const BUILTIN_PLUGINS: readonly string[] = Object.freeze([
  '@nixie/protocol-http',
  '@nixie/protocol-http2',
  '@nixie/protocol-mysql',
  '@nixie/protocol-pgsql',
  '@nixie/protocol-redis',
  '@nixie/protocol-dns',
  '@nixie/source-process',
]);

/** Nixie's data directory: config, else /var/lib/nixie for root, else ~/.nixie. */
export function dataDir(config: Pick<NixieConfig, 'data_dir'>): string {
  if (config.data_dir) return path.resolve(config.data_dir);
  return process.getuid?.() === 0 ? '/var/lib/nixie' : path.join(homedir(), '.nixie');
}

/** Where `nixie plugins add` installs packages. */
export function pluginsDir(config: Pick<NixieConfig, 'data_dir'>): string {
  return path.join(dataDir(config), 'plugins');
}

/** Finds a plugin package: first beside Nixie itself, then in the plugins directory. */
export function resolvePlugin(name: string, dir: string): string | undefined {
  for (const base of [import.meta.url, pathToFileURL(path.join(dir, 'package.json')).href]) {
    try {
      return createRequire(base).resolve(name);
    } catch {
      // try the next place
    }
  }
  try {
    // ESM-only packages have no "require" condition; resolve them with import.meta.resolve.
    return new URL(import.meta.resolve(name)).pathname;
  } catch {
    return undefined;
  }
}

export interface LoadPluginsResult {
  loaded: string[];
  /** Built-ins that are not installed (skipped, not an error). */
  missingBuiltins: string[];
}

export interface LoadPluginsOptions {
  /** Load the built-in plugins too (default true). */
  builtins?: boolean;
}

/** Imports and registers the built-in and configured plugins, dependencies first. */
export async function loadPlugins(host: PluginHost, config: NixieConfig, opts: LoadPluginsOptions = {}): Promise<LoadPluginsResult> {
  const wanted = new Map<string, Record<string, unknown>>();
  for (const name of opts.builtins === false ? [] : BUILTIN_PLUGINS) {
    const c = config.plugins[name];
    if (c === false) continue;
    wanted.set(name, typeof c === 'object' ? c : {});
  }
  for (const [name, c] of Object.entries(config.plugins)) {
    if (c === false || wanted.has(name)) continue;
    wanted.set(name, typeof c === 'object' ? c : {});
  }
  const dir = pluginsDir(config);
  const plugins = new Map<string, NixiePlugin>();
  const packageOf = new Map<NixiePlugin, string>();
  const missingBuiltins: string[] = [];
  for (const name of wanted.keys()) {
    const file = resolvePlugin(name, dir);
    if (!file) {
      if (BUILTIN_PLUGINS.includes(name) && config.plugins[name] === undefined) {
        missingBuiltins.push(name);
        continue;
      }
      throw createError('NIXIE_ERR_PLUGIN_NOT_FOUND', name, dir, name);
    }
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (e) {
      throw createError('NIXIE_ERR_PLUGIN_INVALID', name, `it failed to load: ${(e as Error).message}`);
    }
    const plugin = (mod.default ?? mod) as NixiePlugin;
    if (!plugin || typeof plugin.apply !== 'function') {
      throw createError('NIXIE_ERR_PLUGIN_INVALID', name, 'its default export needs `name` and `apply(host)`');
    }
    plugins.set(name, plugin);
    packageOf.set(plugin, name);
  }
  const order = dependencyOrder([...plugins.values()]);
  for (const p of order) host.register(p, wanted.get(packageOf.get(p)!) ?? {});
  if (missingBuiltins.length) host.log.debug(`built-in plugins not installed: ${missingBuiltins.join(', ')}`);
  return { loaded: order.map((p) => p.name), missingBuiltins };
}

/** Plugins ordered so that each comes after its dependencies; unknown dependencies are left for register() to report. */
export function dependencyOrder(plugins: NixiePlugin[]): NixiePlugin[] {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  const out: NixiePlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: NixiePlugin) => {
    const s = state.get(p.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new NixieError('NIXIE_ERR_PLUGIN_DEPENDENCY', `plugin ${p.name} is part of a dependency cycle`);
    state.set(p.name, 'visiting');
    for (const d of p.manifest?.dependencies ?? []) {
      const dep = byName.get(d);
      if (dep) visit(dep);
    }
    state.set(p.name, 'done');
    out.push(p);
  };
  plugins.forEach(visit);
  return out;
}
