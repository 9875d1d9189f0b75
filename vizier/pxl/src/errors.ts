/**
 * PxL's coded errors, in the same form as core's registry: a message template (%s filled in order)
 * and a line of docs. Compile errors carry the line and column (1-based) of the offending code.
 */
export const PXL_ERROR_CODES = Object.freeze({
  NIXIE_ERR_PXL_SYNTAX: { message: '%s', doc: 'The script is not valid Python syntax.' },
  NIXIE_ERR_PXL_UNKNOWN_TABLE: { message: 'no table named %s%s', doc: 'px.DataFrame names a table no agent has; suggests the nearest name.' },
  NIXIE_ERR_PXL_UNKNOWN_COLUMN: { message: 'no column named %s in %s%s', doc: 'A column reference that is not in the dataframe; suggests the nearest name.' },
  NIXIE_ERR_PXL_UNKNOWN_FUNCTION: { message: 'unknown function %s%s', doc: 'A px.<fn> or script function that does not exist; suggests the nearest name.' },
  NIXIE_ERR_PXL_UNKNOWN_NAME: { message: 'name %s is not defined%s', doc: 'A variable used before assignment.' },
  NIXIE_ERR_PXL_TYPE: { message: '%s', doc: 'An expression whose types do not fit (e.g. comparing a string with a number).' },
  NIXIE_ERR_PXL_ARGS: { message: '%s', doc: 'A call with missing, extra or badly typed arguments.' },
  NIXIE_ERR_PXL_UNSUPPORTED: { message: '%s is not supported in PxL', doc: 'Python syntax PxL does not implement (loops, classes, ...).' },
  NIXIE_ERR_PXL_NO_OUTPUT: { message: 'the script produces no output: call px.display(df) or run one of its functions (%s)', doc: 'Nothing to run.' },
  NIXIE_ERR_PXL_BUNDLE_NOT_FOUND: { message: 'no script %s (looked in %s)%s', doc: 'A bundle name, directory or .pxl file that does not exist.' },
  NIXIE_ERR_PXL_BUNDLE_INVALID: { message: 'script bundle %s: %s', doc: 'A bundle whose manifest.yaml or vis.json cannot be read.' },
  NIXIE_ERR_PXL_UNKNOWN_ARG: { message: 'script %s has no argument --%s%s', doc: 'A `-- --name value` argument the script does not declare.' },
} as const);

export type PxlErrorCode = keyof typeof PXL_ERROR_CODES;

/** A position in the script, 1-based. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/** A compile or bundle error; `code` is stable, `pos` set for errors in the script text. */
export class PxlError extends Error {
  constructor(
    readonly code: PxlErrorCode,
    message: string,
    readonly pos?: SourcePos,
    readonly suggestion?: string,
  ) {
    super(pos ? `${pos.line}:${pos.column}: ${message}` : message);
    this.name = 'PxlError';
  }
}

/** Builds the error for `code`, filling %s with `args` in order. */
export function pxlError(code: PxlErrorCode, pos: SourcePos | undefined, ...args: unknown[]): PxlError {
  let i = 0;
  const message = PXL_ERROR_CODES[code].message.replace(/%s/g, () => String(args[i++] ?? ''));
  return new PxlError(code, message, pos);
}

/** `; did you mean "x"?` or '' — the tail of unknown-name messages. */
export function didYouMean(s: string | undefined): string {
  return s === undefined ? '' : `; did you mean "${s}"?`;
}

/** Whether a value is a PxlError, with an optional code check. */
export function isPxlError(e: unknown, code?: PxlErrorCode): e is PxlError {
  return e instanceof PxlError && (code === undefined || e.code === code);
}
