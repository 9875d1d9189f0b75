export type { AgentFragment, VizierFragment, DistributedPlan, AgentResult, QueryResult, ExecOptions } from './types.js';
export { splitPlan, partialRelation } from './split.js';
export { executeAgentFragment, executeVizierFragment, runLocal } from './run.js';
export { encodeBatch, decodeBatch, encodeAgentResult, decodeAgentResult } from './codec.js';
export type { Metadata } from './metadata/metadata.js';
export { HostMetadata, type HostMetadataOptions } from './metadata/host.js';
// The compiler and bundles, so that the broker and CLI import one package.
export {
  compileScript,
  compileBundle,
  loadBundle,
  listBundles,
  bundleCalls,
  BUNDLED_SCRIPTS_DIR,
  PxlError,
  isPxlError,
  type CompiledScript,
  type CompileOptions,
  type PlanNode,
  type ScriptBundle,
  type Vis,
} from '@nixie/pxl';
