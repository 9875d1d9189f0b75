import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nearest } from '@nixie/core';
import { parse as parseYaml } from 'yaml';
import { didYouMean, PxlError, pxlError } from './errors.js';
import type { FuncCall } from './plan.js';

/** A vis.json variable: a script argument with a type and a default. */
export interface VisVariable {
  readonly name: string;
  /** PX_STRING, PX_INT64, PX_FLOAT64, PX_BOOLEAN, PX_SERVICE, PX_POD, PX_NAMESPACE, PX_NODE, ... */
  readonly type: string;
  readonly defaultValue?: string;
  readonly description?: string;
  readonly validValues?: readonly string[];
}

/** An argument of a vis.json function call: a literal value or a variable's value. */
export interface VisFuncArg {
  readonly name: string;
  readonly value?: string;
  readonly variable?: string;
}

export interface VisFunc {
  readonly name: string;
  readonly args: readonly VisFuncArg[];
}

export interface VisGlobalFunc {
  readonly outputName: string;
  readonly func: VisFunc;
}

/** A widget shows one output; displaySpec['@type'] names its kind (Table, TimeseriesChart, ...). */
export interface VisWidget {
  readonly name?: string;
  readonly position?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly func?: VisFunc;
  readonly globalFuncOutputName?: string;
  readonly displaySpec: Readonly<Record<string, unknown>>;
}

export interface Vis {
  readonly variables: readonly VisVariable[];
  readonly globalFuncs: readonly VisGlobalFunc[];
  readonly widgets: readonly VisWidget[];
}

/** manifest.yaml: Pixie's short and long descriptions. */
export interface BundleManifest {
  readonly short: string;
  readonly long: string;
}

/** A Pixie-format script: `<dir>/<name>.pxl` + manifest.yaml + vis.json, or a lone .pxl file. */
export interface ScriptBundle {
  /** `px/http_data` for bundled scripts; the file or directory name otherwise. */
  readonly name: string;
  /** Directory or file it was loaded from. */
  readonly path: string;
  readonly pxl: string;
  readonly manifest: BundleManifest;
  /** Absent for a lone .pxl file or a bundle without vis.json. */
  readonly vis?: Vis;
}

/** The scripts shipped with Nixie (the repository's px/ folder). */
export const BUNDLED_SCRIPTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../px');

/** Loads a bundle by name (`px/http_data` or `http_data`), bundle directory, or .pxl file. */
export function loadBundle(ref: string, opts: { scriptsDir?: string } = {}): ScriptBundle {
  const scriptsDir = opts.scriptsDir ?? BUNDLED_SCRIPTS_DIR;
  if (ref.endsWith('.pxl') && existsSync(ref) && statSync(ref).isFile()) {
    const name = path.basename(ref, '.pxl');
    return { name, path: ref, pxl: readFileSync(ref, 'utf8'), manifest: { short: '', long: '' } };
  }
  if (existsSync(ref) && statSync(ref).isDirectory() && existsSync(path.join(ref, `${path.basename(path.resolve(ref))}.pxl`))) {
    return readBundleDir(path.resolve(ref), path.basename(path.resolve(ref)));
  }
  const short = ref.replace(/^px\//, '');
  const dir = path.join(scriptsDir, short);
  if (!short.includes('..') && existsSync(path.join(dir, `${short}.pxl`))) return readBundleDir(dir, `px/${short}`);
  const known = listBundles(scriptsDir).map((b) => b.name);
  throw pxlError('NIXIE_ERR_PXL_BUNDLE_NOT_FOUND', undefined, ref, scriptsDir, didYouMean(nearest(ref, known) ?? nearest(`px/${short}`, known)));
}

function readBundleDir(dir: string, name: string): ScriptBundle {
  const base = path.basename(dir);
  const pxl = readFileSync(path.join(dir, `${base}.pxl`), 'utf8');
  let manifest: BundleManifest = { short: '', long: '' };
  const mf = path.join(dir, 'manifest.yaml');
  if (existsSync(mf)) {
    try {
      const m = (parseYaml(readFileSync(mf, 'utf8')) ?? {}) as Record<string, unknown>;
      manifest = { short: String(m.short ?? '').trim(), long: String(m.long ?? '').trim() };
    } catch (e) {
      throw pxlError('NIXIE_ERR_PXL_BUNDLE_INVALID', undefined, name, `manifest.yaml: ${(e as Error).message}`);
    }
  }
  let vis: Vis | undefined;
  const vf = path.join(dir, 'vis.json');
  if (existsSync(vf)) {
    try {
      vis = normalizeVis(JSON.parse(readFileSync(vf, 'utf8')) as Record<string, unknown>);
    } catch (e) {
      if (e instanceof PxlError) throw e;
      throw pxlError('NIXIE_ERR_PXL_BUNDLE_INVALID', undefined, name, `vis.json: ${(e as Error).message}`);
    }
  }
  return { name, path: dir, pxl, manifest, vis };
}

function normalizeVis(v: Record<string, unknown>): Vis {
  const arr = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
  return {
    variables: arr<VisVariable>(v.variables),
    globalFuncs: arr<VisGlobalFunc>(v.globalFuncs).map((g) => ({ outputName: g.outputName, func: { name: g.func.name, args: arr(g.func.args) } })),
    widgets: arr<VisWidget>(v.widgets).map((w) => ({ ...w, displaySpec: w.displaySpec ?? {} })),
  };
}

/** Name and descriptions of every bundle under `scriptsDir`, sorted by name. */
export function listBundles(scriptsDir: string = BUNDLED_SCRIPTS_DIR): { name: string; short: string; long: string }[] {
  if (!existsSync(scriptsDir)) return [];
  const out: { name: string; short: string; long: string }[] = [];
  for (const d of readdirSync(scriptsDir).sort()) {
    const dir = path.join(scriptsDir, d);
    if (!existsSync(path.join(dir, `${d}.pxl`))) continue;
    const b = readBundleDir(dir, `px/${d}`);
    out.push({ name: b.name, short: b.manifest.short, long: b.manifest.long });
  }
  return out;
}

/**
 * What to run for a bundle: the vis.json variables' defaults overridden by `args`, bound into the
 * globalFuncs and widget funcs. A bundle without vis.json runs its px.display calls (and `args`
 * must then be empty unless a function is named).
 */
export function bundleCalls(bundle: ScriptBundle, args: Readonly<Record<string, string>> = {}): FuncCall[] {
  const vis = bundle.vis;
  const names = vis?.variables.map((v) => v.name) ?? [];
  for (const k of Object.keys(args)) {
    if (!names.includes(k)) throw pxlError('NIXIE_ERR_PXL_UNKNOWN_ARG', undefined, bundle.name, k, didYouMean(nearest(k, names)));
  }
  if (!vis) return [];
  const values: Record<string, string> = {};
  for (const v of vis.variables) {
    const val = args[v.name] ?? v.defaultValue;
    if (val !== undefined) values[v.name] = val;
  }
  const bind = (outputName: string, f: VisFunc): FuncCall => {
    const a: Record<string, string> = {};
    for (const arg of f.args) {
      const val = arg.variable !== undefined ? values[arg.variable] : arg.value;
      if (val !== undefined) a[arg.name] = val;
    }
    return { outputName, func: f.name, args: a };
  };
  const calls = vis.globalFuncs.map((g) => bind(g.outputName, g.func));
  vis.widgets.forEach((w, i) => {
    if (w.func) calls.push(bind(w.name ?? `widget_${i}`, w.func));
  });
  return calls;
}
