/**
 * Core's coded errors. Each code has a message template (%s filled in order) and a line of docs;
 * `docs/errors.md` lists them and a test keeps the two in step.
 */
export const ERROR_CODES = Object.freeze({
  NIXIE_ERR_CONFIG_READ: { message: 'cannot read config file %s: %s', doc: 'The config file could not be read.' },
  NIXIE_ERR_CONFIG_PARSE: { message: 'config file %s is not valid YAML: %s', doc: 'The config file has a YAML syntax error.' },
  NIXIE_ERR_CONFIG_UNKNOWN_KEY: {
    message: 'config: unknown key "%s" at %s%s',
    doc: 'A key the schema does not know; the message names its path and the nearest known key.',
  },
  NIXIE_ERR_CONFIG_INVALID: {
    message: 'config: %s must be %s (got %s)',
    doc: 'A value of the wrong type or range; the message names the key path and the expected form.',
  },
  NIXIE_ERR_CONFIG_ENV: {
    message: 'environment variable %s does not name a config key%s',
    doc: 'A NIXIE_* variable that maps to no key in the config schema.',
  },
  NIXIE_ERR_PLUGIN_INVALID: {
    message: 'plugin %s is not a Nixie plugin: %s',
    doc: 'A plugin module whose default export lacks a name or an apply(host) function.',
  },
  NIXIE_ERR_PLUGIN_NOT_FOUND: {
    message: 'plugin package %s is not installed (looked in %s); add it with `nixie plugins add %s`',
    doc: 'A plugin named in the config that cannot be resolved.',
  },
  NIXIE_ERR_PLUGIN_CORE_VERSION: {
    message: 'plugin %s needs @nixie/core %s, this is %s',
    doc: "The plugin's manifest asks for a core version range this core does not satisfy.",
  },
  NIXIE_ERR_PLUGIN_DEPENDENCY: {
    message: 'plugin %s depends on %s, which is not registered before it',
    doc: 'A plugin listed a dependency that is not in the config, or is listed after it.',
  },
  NIXIE_ERR_PLUGIN_DUPLICATE: { message: 'plugin %s is registered twice', doc: 'Two plugins with the same name.' },
  NIXIE_ERR_PLUGIN_APPLY: {
    message: 'plugin %s failed while applying: %s',
    doc: 'A plugin threw from apply(host) at boot; boot stops, as a half-applied plugin is worse than none.',
  },
  NIXIE_ERR_PLUGIN_OPTIONS: {
    message: 'plugin %s: option %s must be %s (got %s)',
    doc: "A plugin's options do not match the schema in its manifest.",
  },
  NIXIE_ERR_STORE_UNKNOWN_TABLE: { message: 'no table named %s (tables: %s)', doc: 'A scan or append named a table that does not exist.' },
  NIXIE_ERR_DECODER_DUPLICATE: {
    message: 'protocol %s has two decoders (%s and %s)',
    doc: 'Two plugins registered a decoder for the same protocol.',
  },
} as const);

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error a user can act on; `code` is stable and documented. */
export class NixieError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NixieError';
  }
}

/** Builds the error for `code`, filling %s in its message with `args` in order. */
export function createError(code: ErrorCode, ...args: unknown[]): NixieError {
  let i = 0;
  const message = ERROR_CODES[code].message.replace(/%s/g, () => String(args[i++] ?? ''));
  return new NixieError(code, message);
}

/** Whether a value is a NixieError, with an optional code check. */
export function isNixieError(e: unknown, code?: ErrorCode): e is NixieError {
  return e instanceof NixieError && (code === undefined || e.code === code);
}
