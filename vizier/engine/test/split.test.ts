import assert from 'node:assert/strict';
import { batchToObjects, TABLES, TableStore } from '@nixie/core';
import { compileScript } from '@nixie/pxl';
import { decodeAgentResult, encodeAgentResult } from '../src/codec.js';
import { executeAgentFragment, executeVizierFragment, runLocal } from '../src/run.js';
import { splitPlan } from '../src/split.js';
import { sampleRow } from './sample.js';

const NOW = 1e18;

/** Three agents with distinct rows: agent k holds rows k, k+3, k+6, ... of one sequence. */
function stores(): TableStore[] {
  const all = new TableStore({ budgetBytes: 16 << 20 });
  const parts = [0, 1, 2].map(() => new TableStore({ budgetBytes: 16 << 20 }));
  const schema = TABLES.get('http_events')!;
  for (let i = 0; i < 60; i++) {
    const row = { ...sampleRow(schema, i, NOW), latency: 1000 * (i + 1), req_path: `/p${i % 4}` };
    parts[i % 3]!.table('http_events').appendRow(row);
    all.table('http_events').appendRow(row);
  }
  return [all, ...parts];
}

const SCRIPT = `import px
df = px.DataFrame(table='http_events')
df.slow = df.latency > 20000
s = df.groupby('req_path').agg(n=('latency', px.count), avg=('latency', px.mean), q=('latency', px.quantiles), slow=('slow', px.sum), lo=('latency', px.min))
s.p50 = px.pluck_float64(s.q, 'p50')
px.display(s[['req_path', 'n', 'avg', 'slow', 'lo', 'p50']], 'stats')
t = df[df.req_path == '/p1'][['req_path', 'latency']].head(5)
px.display(t, 'top')
px.display(s.merge(df.groupby('req_path').agg(hi=('latency', px.max)), how='inner', left_on='req_path', right_on='req_path', suffixes=['', '_r']), 'joined')
`;

describe('plan splitting and distributed execution', () => {
  it('agents get source -> map/filter -> partial agg or limit; the vizier gets the rest', () => {
    const { agent, vizier } = splitPlan(compileScript(SCRIPT, { schemas: TABLES, nowNs: NOW }));
    const tops = agent.nodes.map((n) => (n.plan.op === 'agg' ? `agg:${n.plan.stage}` : n.plan.op));
    assert.deepEqual(tops.sort(), ['agg:partial', 'agg:partial', 'limit']);
    const s = vizier.outputs.find((o) => o.name === 'stats')!.plan;
    assert.equal(s.op === 'map' && s.input.op === 'map' && s.input.input.op === 'agg' && s.input.input.stage, 'final');
    // Plain JSON: what the broker sends is what the agents run.
    assert.deepEqual(JSON.parse(JSON.stringify(agent)), agent);
  });

  it('three agents through the codec give the same answer as one store', () => {
    const [all, ...parts] = stores();
    const compiled = compileScript(SCRIPT, { schemas: TABLES, nowNs: NOW });
    const { agent, vizier } = splitPlan(JSON.parse(JSON.stringify(compiled)) as typeof compiled);
    const results = parts.map((s) => decodeAgentResult(encodeAgentResult(executeAgentFragment(JSON.parse(JSON.stringify(agent)) as typeof agent, s))));
    const dist = executeVizierFragment(vizier, results);
    const local = runLocal(compiled, all!);
    const rows = (rs: typeof dist, name: string) => rs.find((r) => r.name === name)!.batches.flatMap(batchToObjects);
    const sortByPath = (r: Record<string, unknown>[]) => [...r].sort((a, b) => String(a.req_path).localeCompare(String(b.req_path)));
    assert.deepEqual(sortByPath(rows(dist, 'stats')), sortByPath(rows(local, 'stats')));
    assert.deepEqual(sortByPath(rows(dist, 'joined')), sortByPath(rows(local, 'joined')));
    assert.equal(rows(dist, 'top').length, 5);
    const p1 = sortByPath(rows(dist, 'stats'))[1]!;
    assert.deepEqual([p1.req_path, p1.n, p1.avg, p1.lo], ['/p1', 15, 30000, 2000]);
  });

  it('a missing agent only removes its rows (partial results)', () => {
    const [, ...parts] = stores();
    const compiled = compileScript(SCRIPT, { schemas: TABLES, nowNs: NOW });
    const { agent, vizier } = splitPlan(compiled);
    const two = parts.slice(0, 2).map((s) => executeAgentFragment(agent, s));
    const rows = executeVizierFragment(vizier, two).find((r) => r.name === 'stats')!.batches.flatMap(batchToObjects);
    assert.equal(rows.reduce((s, r) => s + (r.n as number), 0), 40);
  });
});
