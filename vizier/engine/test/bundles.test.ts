import assert from 'node:assert/strict';
import { batchToObjects, TABLES } from '@nixie/core';
import { compileBundle, listBundles, loadBundle } from '@nixie/pxl';
import { runLocal } from '../src/run.js';
import { sampleStore } from './sample.js';

const NOW = Date.now() * 1e6;
const EXPECTED = [
  'agent_status', 'dns_data', 'http_data', 'http_request_stats', 'jvm_stats', 'mysql_data', 'net_flow_graph',
  'network_stats', 'perf_flamegraph', 'pgsql_data', 'process_stats', 'redis_data', 'schemas', 'service_stats',
];

describe('bundled scripts (px/)', () => {
  const store = sampleStore(40, NOW);

  it('lists every bundle the issue asks for, each with a description', () => {
    const list = listBundles();
    assert.deepEqual(list.map((b) => b.name), EXPECTED.map((n) => `px/${n}`));
    for (const b of list) assert.ok(b.short.length > 0, `${b.name} has a short description`);
  });

  for (const name of EXPECTED) {
    it(`px/${name} compiles against core's tables and returns rows from sample data`, () => {
      const bundle = loadBundle(`px/${name}`);
      const compiled = compileBundle(bundle, { schemas: TABLES, nowNs: NOW });
      assert.ok(compiled.outputs.length > 0);
      // Every widget shows an output the script makes.
      const outs = new Set(compiled.outputs.map((o) => o.name));
      for (const w of bundle.vis?.widgets ?? []) if (w.globalFuncOutputName) assert.ok(outs.has(w.globalFuncOutputName), `${name}: widget output ${w.globalFuncOutputName}`);
      const results = runLocal(compiled, store);
      for (const r of results) {
        const rows = r.batches.flatMap(batchToObjects);
        assert.ok(rows.length > 0, `${name}: output ${r.name} has rows`);
        const plan = compiled.outputs.find((o) => o.name === r.name)!.plan;
        assert.deepEqual(Object.keys(rows[0]!), plan.relation.map((c) => c.name));
      }
    });
  }
});
