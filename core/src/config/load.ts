import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { createError, NixieError } from '../errors.js';
import { nearest } from '../util.js';
import { CONFIG_SCHEMA } from './schema.js';
import type { NixieConfig } from './types.js';

type JsonSchema = {
  type?: string;
  enum?: readonly unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  exclusiveMinimum?: number;
  anyOf?: readonly JsonSchema[];
  description?: string;
};

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const validate = ajv.compile(CONFIG_SCHEMA);

export interface LoadedConfig {
  config: NixieConfig;
  /** The file read, or undefined when none exists and defaults apply. */
  path?: string;
  /** Environment variables applied, by name. */
  applied: string[];
}

/** Reads, parses and validates a config file; `NIXIE_*` variables in `env` override its keys. */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let raw: unknown = {};
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw createError('NIXIE_ERR_CONFIG_READ', path, (e as Error).message);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
      throw createError('NIXIE_ERR_CONFIG_PARSE', path, (e as Error).message.split('\n')[0] + where);
    }
  }
  const applied = applyEnv(raw, env);
  return { config: validateConfig(raw), path, applied };
}

/** Validates a parsed config object (filling defaults in place) or throws a coded error naming the key. */
export function validateConfig(raw: unknown): NixieConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw createError('NIXIE_ERR_CONFIG_INVALID', '(top level)', 'a mapping of keys to values', describe(raw));
  }
  if (!validate(raw)) throw toNixieError(validate.errors?.[0], raw);
  return raw as unknown as NixieConfig;
}

function toNixieError(err: ErrorObject | undefined, raw: unknown): NixieError {
  if (!err) return createError('NIXIE_ERR_CONFIG_INVALID', '(config)', 'valid', 'an invalid value');
  const path = pointerToPath(err.instancePath);
  if (err.keyword === 'additionalProperties') {
    const key = String((err.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys(schemaAt(err.schemaPath)?.properties ?? {});
    const guess = nearest(key, known);
    const hint = guess ? ` (did you mean "${guess}"?)` : known.length ? ` (known keys: ${known.join(', ')})` : '';
    return createError('NIXIE_ERR_CONFIG_UNKNOWN_KEY', key, path ? path + '.' + key : key, hint);
  }
  const value = valueAt(raw, err.instancePath);
  return createError('NIXIE_ERR_CONFIG_INVALID', path || '(top level)', expected(err), describe(value));
}

function expected(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'type':
      return `of type ${String(p.type)}`;
    case 'enum':
      return `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum':
      return `>= ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `> ${String(p.limit)}`;
    case 'anyOf':
      return 'true, false or a mapping of options';
    default:
      return err.message ?? 'valid';
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');
}

function valueAt(raw: unknown, pointer: string): unknown {
  let v = raw;
  for (const seg of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

function schemaAt(schemaPath: string): JsonSchema | undefined {
  // schemaPath looks like "#/properties/agent/additionalProperties"
  let s: unknown = CONFIG_SCHEMA;
  for (const seg of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
    if (s === null || typeof s !== 'object') return undefined;
    s = (s as Record<string, unknown>)[seg];
  }
  return s as JsonSchema;
}

/**
 * Applies NIXIE_<PATH> variables: NIXIE_AGENT_BODY_LIMIT_BYTES sets agent.body_limit_bytes. The path is
 * found by walking the schema, so keys with underscores resolve. Values are read as YAML scalars.
 * NIXIE_CONFIG (the file's path) and other non-config NIXIE_ variables in NON_CONFIG_ENV are skipped.
 */
export function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): string[] {
  const applied: string[] = [];
  if (raw === null || typeof raw !== 'object') return applied;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('NIXIE_') || value === undefined || NON_CONFIG_ENV.has(name)) continue;
    const path = resolveEnvPath(name.slice('NIXIE_'.length).toLowerCase(), CONFIG_SCHEMA as JsonSchema);
    if (!path) {
      const guess = nearest(name, allEnvNames());
      throw createError('NIXIE_ERR_CONFIG_ENV', name, guess ? ` (did you mean ${guess}?)` : '');
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(value);
    } catch {
      parsed = value;
    }
    let obj = raw as Record<string, unknown>;
    for (const seg of path.slice(0, -1)) {
      if (obj[seg] === null || typeof obj[seg] !== 'object') obj[seg] = {};
      obj = obj[seg] as Record<string, unknown>;
    }
    obj[path[path.length - 1]!] = parsed;
    applied.push(name);
  }
  return applied;
}

/** NIXIE_ variables that are not config keys. */
export const NON_CONFIG_ENV = new Set(['NIXIE_CONFIG', 'NIXIE_SKIP_BPF_BUILD', 'NIXIE_TEST_VERBOSE', 'NIXIE_HTTP_WASM', 'NIXIE_BYTE_HEAP_MB']);

function resolveEnvPath(rest: string, schema: JsonSchema): string[] | undefined {
  const props = schema.properties ?? {};
  for (const key of Object.keys(props).sort((a, b) => b.length - a.length)) {
    if (rest === key) return [key];
    if (rest.startsWith(key + '_')) {
      const sub = resolveEnvPath(rest.slice(key.length + 1), props[key]!);
      if (sub) return [key, ...sub];
    }
  }
  return undefined;
}

function allEnvNames(schema: JsonSchema = CONFIG_SCHEMA as JsonSchema, prefix = 'NIXIE'): string[] {
  const out: string[] = [];
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    const name = `${prefix}_${k.toUpperCase()}`;
    out.push(name, ...allEnvNames(s, name));
  }
  return out;
}

/** The config file to use: --config, then NIXIE_CONFIG, then ./nixie.yaml if it exists. */
export function defaultConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv, exists: (p: string) => boolean): string | undefined {
  if (explicit) return explicit;
  if (env.NIXIE_CONFIG) return env.NIXIE_CONFIG;
  return exists('nixie.yaml') ? 'nixie.yaml' : undefined;
}
