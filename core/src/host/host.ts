import semver from 'semver';
import { Ajv } from 'ajv';
import type { Tap } from 'tapable';
import { createError, NixieError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Decoder } from '../decoder.js';
import type { TableSchema } from '../types.js';
import { CORE_VERSION } from '../version.js';
import { createHooks, DATA_PATH_HOOKS, type Hooks, type LifecycleContext } from './hooks.js';
import type { Exporter, MetricSource } from './interfaces.js';
import type { NixiePlugin } from './plugin.js';

/** One plugin failure on the data path, kept for health reports. */
export interface PluginFault {
  plugin: string;
  hook: string;
  count: number;
  lastMessage: string;
}

export interface PluginHostOptions {
  log?: Logger;
}

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });

/**
 * The plugin host: holds the hooks, applies plugins, and after boot holds what they registered.
 * Data-path hook taps are wrapped so that a throwing plugin is counted and skipped.
 */
export class PluginHost {
  readonly hooks: Hooks = createHooks();
  readonly log: Logger;
  readonly decoders = new Map<string, Decoder>();
  readonly sources: MetricSource[] = [];
  readonly exporters: Exporter[] = [];
  readonly tables: TableSchema[] = [];
  private readonly plugins = new Map<string, NixiePlugin>();
  private readonly options = new Map<string, Record<string, unknown>>();
  private readonly faults = new Map<string, PluginFault>();
  private readonly abort = new AbortController();
  private booted = false;

  constructor(opts: PluginHostOptions = {}) {
    this.log = opts.log ?? createLogger('info');
    this.isolateDataPath();
  }

  /** Checks the plugin's shape and manifest, then applies it. Throws a coded error on any mismatch. */
  register(plugin: NixiePlugin, options: Record<string, unknown> = {}): void {
    const label = (plugin as { name?: unknown } | null)?.name ?? String(plugin);
    if (!plugin || typeof plugin.name !== 'string' || plugin.name === '') {
      throw createError('NIXIE_ERR_PLUGIN_INVALID', label, 'its default export needs a non-empty `name`');
    }
    if (typeof plugin.apply !== 'function') {
      throw createError('NIXIE_ERR_PLUGIN_INVALID', plugin.name, 'its default export needs an `apply(host)` function');
    }
    if (this.plugins.has(plugin.name)) throw createError('NIXIE_ERR_PLUGIN_DUPLICATE', plugin.name);
    const m = plugin.manifest;
    if (m?.core && !semver.satisfies(CORE_VERSION, m.core, { includePrerelease: true })) {
      throw createError('NIXIE_ERR_PLUGIN_CORE_VERSION', plugin.name, m.core, CORE_VERSION);
    }
    for (const dep of m?.dependencies ?? []) {
      if (!this.plugins.has(dep)) throw createError('NIXIE_ERR_PLUGIN_DEPENDENCY', plugin.name, dep);
    }
    if (m?.optionsSchema) {
      const validate = ajv.compile(m.optionsSchema);
      if (!validate(options)) {
        const e = validate.errors![0]!;
        const key = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || String((e.params as Record<string, unknown>).additionalProperty ?? '(options)');
        throw createError('NIXIE_ERR_PLUGIN_OPTIONS', plugin.name, key, e.message ?? 'valid', JSON.stringify(options));
      }
    }
    this.options.set(plugin.name, options);
    this.plugins.set(plugin.name, plugin);
    try {
      plugin.apply(this);
    } catch (e) {
      if (e instanceof NixieError) throw e;
      throw createError('NIXIE_ERR_PLUGIN_APPLY', plugin.name, (e as Error).message);
    }
  }

  /** Options given to a plugin in the config (after its schema's defaults). */
  pluginOptions<T = Record<string, unknown>>(name: string): T {
    return (this.options.get(name) ?? {}) as T;
  }

  pluginNames(): string[] {
    return [...this.plugins.keys()];
  }

  /** Calls the registration hooks once; after this, decoders, sources, exporters and tables are known. */
  async boot(): Promise<void> {
    if (this.booted) return;
    this.booted = true;
    this.hooks.registerTables.call({ add: (t) => this.tables.push(t) });
    this.hooks.registerDecoders.call({
      add: (d) => {
        const prev = this.decoders.get(d.protocol);
        if (prev) throw createError('NIXIE_ERR_DECODER_DUPLICATE', d.protocol, prev.table.name, d.table.name);
        this.decoders.set(d.protocol, d);
      },
    });
    this.hooks.registerSources.call({ add: (s) => this.sources.push(s) });
    this.hooks.registerExporters.call({ add: (x) => this.exporters.push(x) });
    await this.hooks.afterBoot.promise(this.lifecycle());
  }

  async start(): Promise<void> {
    await this.boot();
    await this.hooks.beforeStart.promise(this.lifecycle());
    await this.hooks.afterStart.promise(this.lifecycle());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.hooks.beforeStop.promise(this.lifecycle());
    await this.hooks.afterStop.promise(this.lifecycle());
  }

  /** Runs a plugin's data-path code; an exception is counted against the plugin and hook, never thrown. */
  guard<T>(plugin: string, hook: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (e) {
      this.recordFault(plugin, hook, e);
      return fallback;
    }
  }

  /** Counts a failure of a plugin on a hook and logs the first one of each kind. */
  recordFault(plugin: string, hook: string, e: unknown): void {
    const key = `${plugin}\u0000${hook}`;
    const msg = e instanceof Error ? e.message : String(e);
    const f = this.faults.get(key);
    if (f) {
      f.count++;
      f.lastMessage = msg;
      return;
    }
    this.faults.set(key, { plugin, hook, count: 1, lastMessage: msg });
    this.log.error(`plugin ${plugin} failed in hook ${hook}: ${msg} (counted; further failures are not logged)`);
  }

  /** Data-path failures so far, per plugin and hook. */
  pluginFaults(): PluginFault[] {
    return [...this.faults.values()].map((f) => ({ ...f }));
  }

  /** Total data-path failures so far. */
  pluginErrorCount(): number {
    let n = 0;
    for (const f of this.faults.values()) n += f.count;
    return n;
  }

  private lifecycle(): LifecycleContext {
    return { signal: this.abort.signal };
  }

  private isolateDataPath(): void {
    const wrap = (hookName: string) => ({
      register: (tap: Tap & { fn: (...args: unknown[]) => unknown }) => {
        const fn = tap.fn;
        const isWaterfall = hookName.startsWith('process');
        return {
          ...tap,
          fn: (...args: unknown[]) => {
            try {
              return fn(...args);
            } catch (e) {
              this.recordFault(tap.name, hookName, e);
              return isWaterfall ? args[0] : undefined;
            }
          },
        };
      },
    });
    for (const name of DATA_PATH_HOOKS) {
      const hook = this.hooks[name];
      if (hook instanceof Object && 'for' in hook) {
        hook.intercept({
          factory: (key, h) => {
            h.intercept(wrap(`${name}[${String(key)}]`) as never);
            return h;
          },
        });
      } else {
        (hook as { intercept(i: unknown): void }).intercept(wrap(name));
      }
    }
  }
}
