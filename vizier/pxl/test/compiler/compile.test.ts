import assert from 'node:assert/strict';
import { DataType as T, TABLES } from '@nixie/core';
import { compileScript } from '../../src/compiler/compile.js';
import { isPxlError, type PxlErrorCode } from '../../src/errors.js';
import type { PlanNode } from '../../src/plan.js';

const NOW = 1_700_000_000_000_000_000;
const compile = (src: string, extra: Partial<Parameters<typeof compileScript>[1]> = {}) => compileScript(src, { schemas: TABLES, nowNs: NOW, ...extra });
const only = (src: string): PlanNode => {
  const c = compile(src);
  assert.equal(c.outputs.length, 1);
  return c.outputs[0]!.plan;
};
const cols = (p: PlanNode): string[] => p.relation.map((c) => c.name);

/** Asserts that compiling throws `code` at line:column, with an optional suggestion. */
function fails(src: string, code: PxlErrorCode, line?: number, column?: number, suggestion?: string): void {
  assert.throws(
    () => compile(src),
    (e: unknown) => {
      assert.ok(isPxlError(e, code), `expected ${code}, got ${String(e)}`);
      if (line !== undefined) assert.deepEqual([e.pos?.line, e.pos?.column], [line, column], e.message);
      if (suggestion !== undefined) {
        assert.equal(e.suggestion, suggestion);
        assert.match(e.message, new RegExp(`did you mean "${suggestion.replace('.', '\\.')}"`));
      }
      if (e.pos) assert.match(e.message, new RegExp(`^${e.pos.line}:${e.pos.column}: `));
      return true;
    },
  );
}

describe('PxL compiler', () => {
  describe('dataframes', () => {
    it('px.DataFrame with select and relative start_time becomes a source with absolute times', () => {
      const p = only(`import px\ndf = px.DataFrame(table='http_events', select=['time_', 'req_path'], start_time='-5m', end_time='-1m')\npx.display(df)`);
      assert.equal(p.op, 'source');
      assert.deepEqual(cols(p), ['time_', 'req_path']);
      if (p.op !== 'source') return;
      assert.equal(p.startTime, NOW - 300e9);
      assert.equal(p.endTime, NOW - 60e9);
    });

    it('px.now() arithmetic folds at compile time', () => {
      const p = only(`import px\ndf = px.DataFrame('http_events', start_time=px.now() - px.parse_duration('30s'))\npx.display(df)`);
      assert.equal(p.op === 'source' && p.startTime, NOW - 30e9);
    });

    it('column get and set, by attribute and by key, keep or append columns', () => {
      const p = only(`import px
df = px.DataFrame(table='http_events', select=['latency', 'req_path'])
df.latency = df['latency'] / 1000
df['ms'] = df.latency
px.display(df)`);
      assert.deepEqual(cols(p), ['latency', 'req_path', 'ms']);
      assert.equal(p.relation[0]!.type, T.FLOAT64);
    });

    it('df[cond] with and/or/not builds one filter with logical calls', () => {
      const p = only(`import px
df = px.DataFrame(table='http_events')
df = df[df.resp_status >= 400 and not df.req_method == 'GET' or df.latency > 5]
px.display(df)`);
      assert.equal(p.op, 'filter');
      if (p.op !== 'filter') return;
      // Python precedence: (a and (not b)) or c, though @lezer/python nests `not` over the rest.
      const top = p.predicate;
      if (top.kind !== 'call') return assert.fail('expected a call');
      assert.equal(top.fn, 'logicalOr');
      const left = top.args[0]!;
      assert.equal(left.kind === 'call' && left.fn, 'logicalAnd');
      assert.equal(left.kind === 'call' && left.args[1]!.kind === 'call' && left.args[1]!.fn, 'logicalNot');
    });

    it("df[['a', 'b']] projects, drop removes, head limits", () => {
      const p = only(`import px
df = px.DataFrame(table='http_events')
df = df[['req_path', 'latency', 'resp_status']].drop('latency').head(7)
px.display(df)`);
      assert.equal(p.op, 'limit');
      assert.deepEqual(cols(p), ['req_path', 'resp_status']);
    });

    it('groupby().agg() types aggregates; df.agg() has no groups', () => {
      const p = only(`import px
df = px.DataFrame(table='http_events')
df = df.groupby(['req_path', 'resp_status']).agg(n=('latency', px.count), avg=('latency', px.mean), q=('latency', px.quantiles), mx=('latency', px.max))
px.display(df)`);
      assert.deepEqual(p.relation, [
        { name: 'req_path', type: T.STRING },
        { name: 'resp_status', type: T.INT64, semantic: 'http_status' },
        { name: 'n', type: T.INT64 },
        { name: 'avg', type: T.FLOAT64, semantic: 'duration_ns' },
        { name: 'q', type: T.STRING },
        { name: 'mx', type: T.INT64, semantic: 'duration_ns' },
      ]);
      const q = only(`import px\ndf = px.DataFrame(table='http_events').agg(n=('latency', px.count))\npx.display(df)`);
      assert.equal(q.op === 'agg' && q.groups.length, 0);
    });

    it('merge suffixes names both sides share', () => {
      const p = only(`import px
a = px.DataFrame(table='http_events', select=['upid', 'latency'])
b = px.DataFrame(table='process_stats', select=['upid', 'rss_bytes'])
df = a.merge(b, how='left', left_on='upid', right_on=['upid'], suffixes=['', '_p'])
px.display(df)`);
      assert.equal(p.op === 'join' && p.how, 'left');
      assert.deepEqual(cols(p), ['upid', 'latency', 'upid_p', 'rss_bytes']);
    });

    it('append unions dataframes with the same columns, in the first one order', () => {
      const p = only(`import px
a = px.DataFrame(table='http_events', select=['req_path', 'latency'])
b = px.DataFrame(table='http_events', select=['latency', 'req_path'])
px.display(a.append(b))`);
      assert.equal(p.op, 'union');
      if (p.op !== 'union') return;
      assert.deepEqual(cols(p.inputs[1]!), ['req_path', 'latency']);
    });

    it("df.ctx['service'] and friends resolve through the upid", () => {
      const p = only(`import px
df = px.DataFrame(table='http_events', select=['upid'])
df.svc = df.ctx['service']
df.pid = df.ctx['pid']
px.display(df)`);
      if (p.op !== 'map' || p.input.op !== 'map') return assert.fail('expected two maps');
      const e = p.input.exprs.find((x) => x.name === 'svc')!.expr;
      assert.equal(e.kind === 'call' && e.fn, 'upid_to_service_name');
      assert.equal(p.relation.find((c) => c.name === 'pid')!.type, T.INT64);
    });

    it('semantic casts set the semantic type without changing values', () => {
      const p = only(`import px
df = px.DataFrame(table='http_events', select=['resp_body_size'])
df.b = px.Bytes(df.resp_body_size * 2)
px.display(df)`);
      assert.deepEqual(p.relation[1], { name: 'b', type: T.INT64, semantic: 'bytes' });
    });

    it('in with a list becomes equals_any; script_reference flattens its dict', () => {
      const p = only(`import px
df = px.DataFrame(table='http_events', select=['req_method', 'req_path'])
df = df[df.req_method in ['GET', 'PUT']]
df.link = px.script_reference(df.req_path, 'px/http_data', {'start_time': '-5m', 'path': df.req_path})
px.display(df)`);
      assert.equal(p.op, 'map');
      if (p.op !== 'map' || p.input.op !== 'filter') return assert.fail('expected map over filter');
      const pred = p.input.predicate;
      assert.equal(pred.kind === 'call' && pred.fn, 'equals_any');
      const link = p.exprs.find((e) => e.name === 'link')!.expr;
      assert.equal(link.kind === 'call' && link.args.length, 6);
    });
  });

  describe('functions and arguments', () => {
    const SRC = `import px
def f(start_time: str, n: int, ratio: float = 0.5, flag: bool = True):
    df = px.DataFrame(table='http_events', start_time=start_time)
    df.r = df.latency * ratio
    if flag:
        df = df.head(n)
    return df
`;
    it('runs a function by name with string arguments converted by annotation', () => {
      const c = compile(SRC, { funcName: 'f', args: { start_time: '-1m', n: '3' } });
      assert.equal(c.outputs[0]!.name, 'f');
      const p = c.outputs[0]!.plan;
      assert.equal(p.op === 'limit' && p.n, 3);
    });

    it('a bool argument drives if; defaults fill the rest', () => {
      const p = compile(SRC, { funcName: 'f', args: { start_time: '-1m', n: '3', flag: 'false' } }).outputs[0]!.plan;
      assert.equal(p.op, 'map');
    });

    it('rejects a bad int, a missing argument and an unknown one with a suggestion', () => {
      assert.throws(() => compile(SRC, { funcName: 'f', args: { start_time: '-1m', n: 'x' } }), /argument n of f\(\) must be an integer/);
      assert.throws(() => compile(SRC, { funcName: 'f', args: { start_time: '-1m' } }), /missing argument n/);
      assert.throws(() => compile(SRC, { funcName: 'f', args: { start_time: '-1m', n: '1', ratoi: '2' } }), /no argument ratoi; did you mean "ratio"/);
    });

    it('calls vis-style function outputs and script functions from script code', () => {
      const c = compile(`import px
def base(t: str):
    return px.DataFrame(table='http_events', start_time=t)
def stats(t: str):
    df = base(t)
    return df.groupby('req_path').agg(n=('latency', px.count))
`, { calls: [{ outputName: 'out', func: 'stats', args: { t: '-5m' } }] });
      assert.deepEqual(c.outputs.map((o) => o.name), ['out']);
    });

    it('names outputs by px.display, unique', () => {
      const c = compile(`import px\ndf = px.DataFrame('http_events')\npx.display(df, 'x')\npx.display(df, 'x')\npx.display(df)`);
      assert.deepEqual(c.outputs.map((o) => o.name), ['x', 'x_1', 'output']);
    });
  });

  describe('errors', () => {
    it('syntax errors name line and column', () => fails(`import px\ndf = px.DataFrame(table='http_events'\n`, 'NIXIE_ERR_PXL_SYNTAX', 3, 1));
    it('unknown table, with a suggestion', () => fails(`import px\ndf = px.DataFrame(table='http_event')`, 'NIXIE_ERR_PXL_UNKNOWN_TABLE', 2, 25, 'http_events'));
    it('unknown column by attribute, with a suggestion', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf = df[df.resp_stats > 1]`, 'NIXIE_ERR_PXL_UNKNOWN_COLUMN', 3, 12, 'resp_status'));
    it('unknown column by key', () => fails(`import px\ndf = px.DataFrame(table='http_events')\nx = df['latancy']`, 'NIXIE_ERR_PXL_UNKNOWN_COLUMN', 3, 8, 'latency'));
    it('unknown column in select', () => fails(`import px\ndf = px.DataFrame(table='http_events', select=['req_pth'])`, 'NIXIE_ERR_PXL_UNKNOWN_COLUMN', 2, 47, 'req_path'));
    it('column dropped by a projection is unknown afterwards', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf = df[['latency']]\ndf.x = df.req_path`, 'NIXIE_ERR_PXL_UNKNOWN_COLUMN', 4, 11));
    it('unknown px function, with a suggestion', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf.x = px.regex_mach('a', df.req_path)`, 'NIXIE_ERR_PXL_UNKNOWN_FUNCTION', 3, 11, 'px.regex_match'));
    it('unknown aggregate', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf = df.groupby('req_path').agg(n=('latency', px.cnt))`, 'NIXIE_ERR_PXL_UNKNOWN_FUNCTION', 3, 50, 'px.count'));
    it('unknown variable, with a suggestion', () => fails(`import px\ndataframe = px.DataFrame(table='http_events')\npx.display(datafram)`, 'NIXIE_ERR_PXL_UNKNOWN_NAME', 3, 12, 'dataframe'));
    it('comparing a string column with a number', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf = df[df.req_path == 3]`, 'NIXIE_ERR_PXL_TYPE', 3, 21));
    it('a non-boolean filter', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf = df[df.latency]`, 'NIXIE_ERR_PXL_TYPE', 3, 9));
    it('an aggregate of a string', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf = df.agg(m=('req_path', px.mean))`, 'NIXIE_ERR_PXL_TYPE', 3, 15));
    it('an unknown aggregated column points at its tuple', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf = df.agg(m=('latncy', px.mean))`, 'NIXIE_ERR_PXL_UNKNOWN_COLUMN', 3, 15, 'latency'));
    it('a bad start_time points at it', () => fails(`import px\ndf = px.DataFrame(table='http_events', start_time='yesterday')`, 'NIXIE_ERR_PXL_ARGS', 2, 51));
    it('wrong argument types of a function', () => fails(`import px\ndf = px.DataFrame(table='http_events')\ndf.x = px.contains(df.latency, 'a')`, 'NIXIE_ERR_PXL_TYPE', 3, 20));
    it('merge keys of different types', () => fails(`import px\na = px.DataFrame(table='http_events')\ndf = a.merge(a, left_on='req_path', right_on='latency')`, 'NIXIE_ERR_PXL_TYPE'));
    it('loops are not PxL', () => fails(`import px\nfor i in [1]:\n    pass`, 'NIXIE_ERR_PXL_UNSUPPORTED', 2, 1));
    it('a script without output says which functions it has', () => {
      assert.throws(() => compile(`import px\ndef f():\n    return px.DataFrame('http_events')`), /NIXIE_ERR_PXL_NO_OUTPUT|produces no output.*\(f\)/);
    });
  });
});
