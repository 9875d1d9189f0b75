import assert from 'node:assert/strict';
import { AGG_FUNCS, OPERATOR_FUNCS, SCALAR_FUNCS } from '@nixie/pxl';
import { SCALAR_IMPLS } from '../../src/exec/functions.js';
import { partialStateColumns } from '../../src/exec/agg-state.js';

// Folded or erased by the compiler, never sent to the engine as calls.
const COMPILE_TIME = new Set(['now', 'parse_duration', 'DurationNanos', 'Bytes', 'Percent', 'Pod', 'Service', 'Namespace', 'Node']);

describe("engine implements the compiler's catalog", () => {
  it('every scalar function and operator the compiler can emit', () => {
    const missing = [...SCALAR_FUNCS.keys(), ...OPERATOR_FUNCS].filter((f) => !COMPILE_TIME.has(f) && !SCALAR_IMPLS.has(f));
    assert.deepEqual(missing, []);
  });
  it('every aggregate has partial state columns', () => {
    for (const fn of AGG_FUNCS.keys()) assert.ok(partialStateColumns({ name: 'x', fn, arg: 'a', type: 'INT64' }, 'INT64').length > 0, fn);
  });
});
