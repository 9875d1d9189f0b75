/** @nixie/libbpf-ts: a typed TypeScript API over the system libbpf. */
export { ERROR_CODES, NixieBpfError, createBpfError, isNixieBpfError, type BpfErrorCode } from './errors.js';
export { BpfObject } from './object.js';
export { BpfProgram, BpfLink, enableRunStats, type ProgramRunStats, type UprobeTarget } from './program.js';
export { BpfMap, TypedMap, MapType, codec, possibleCpus, type Codec } from './map.js';
export { RingBuffer, type RingBatch, type RingBatchHandler } from './ringbuf.js';
export {
  openPerfEvent,
  attachPerfEventAllCpus,
  onlineCpus,
  PerfEvent,
  PerfAttachment,
  PerfType,
  PerfSoftware,
  type PerfEventSpec,
} from './perf.js';
export { setThreadSchedPolicy, threadSchedPolicy, type SchedPolicy } from './sched.js';
export { hasBpfPrivileges, assertPrivileges, assertBtf, assertTracefs, tracefsPath } from './checks.js';
export { linesSince as libbpfLogSince, logMark as libbpfLogMark } from './log.js';
