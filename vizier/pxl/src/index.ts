export type { PlanColumn, Expr, AggSpec, AggStage, JoinHow, JoinColumn, PlanNode, PlanOutput, CompiledScript, FuncCall, CompileOptions } from './plan.js';
export { PXL_ERROR_CODES, PxlError, pxlError, isPxlError, didYouMean, type PxlErrorCode, type SourcePos } from './errors.js';
export { compileScript } from './compiler/compile.js';
export type { OtelExportSpec, OtelDataSpec, OtelValue, PluginWindow } from './compiler/otel.js';
export {
  BUNDLED_SCRIPTS_DIR,
  loadBundle,
  listBundles,
  bundleCalls,
  type ScriptBundle,
  type BundleManifest,
  type Vis,
  type VisVariable,
  type VisFunc,
  type VisFuncArg,
  type VisGlobalFunc,
  type VisWidget,
} from './bundle.js';
export { compileBundle } from './compile-bundle.js';
export { SCALAR_FUNCS, AGG_FUNCS, OPERATOR_FUNCS, type ScalarSig } from './functions.js';
