import type { PluginWindow } from './compiler/otel.js';
import type { TableSchema } from '@nixie/core';
import { bundleCalls, type ScriptBundle } from './bundle.js';
import { compileScript } from './compiler/compile.js';
import type { CompiledScript } from './plan.js';

/** Compiles a bundle the way `nixie run` does: vis.json functions with variables, else px.display calls. */
export function compileBundle(
  bundle: ScriptBundle,
  opts: { schemas: ReadonlyMap<string, TableSchema>; args?: Readonly<Record<string, string>>; nowNs?: number; pluginWindow?: PluginWindow },
): CompiledScript {
  const calls = bundleCalls(bundle, opts.args ?? {});
  return compileScript(bundle.pxl, { schemas: opts.schemas, nowNs: opts.nowNs, calls, ...(opts.pluginWindow ? { pluginWindow: opts.pluginWindow } : {}) });
}
