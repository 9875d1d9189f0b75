import type { CompileOptions, CompiledScript } from '../plan.js';
import { pxlError } from '../errors.js';

/** Compiles a PxL script to one logical plan per output; throws PxlError with line:column. */
export function compileScript(source: string, opts: CompileOptions): CompiledScript {
  void source;
  void opts;
  throw pxlError('NIXIE_ERR_PXL_UNSUPPORTED', undefined, 'compileScript (not yet implemented)');
}
