import assert from 'node:assert/strict';
import { batchToObjects, DataType as T, TableStore, type TableSchema, type UInt128 } from '@nixie/core';
import { compileScript } from '@nixie/pxl';
import { runLocal } from '../../src/run.js';
import type { Metadata } from '../../src/metadata/metadata.js';
import { HostMetadata } from '../../src/metadata/host.js';

const NOW = 1_700_000_000_000_000_000;
const EMP: TableSchema = {
  name: 'emp',
  columns: [
    { name: 'time_', type: T.TIME64NS },
    { name: 'name', type: T.STRING },
    { name: 'dept', type: T.INT64 },
    { name: 'salary', type: T.FLOAT64 },
    { name: 'active', type: T.BOOLEAN },
    { name: 'upid', type: T.UINT128 },
  ],
};
const DEPT: TableSchema = {
  name: 'dept',
  columns: [
    { name: 'time_', type: T.TIME64NS },
    { name: 'id', type: T.INT64 },
    { name: 'title', type: T.STRING },
  ],
};
const upid = (pid: number): UInt128 => ({ high: pid, low: 1 });

function store(): TableStore {
  const s = new TableStore({ budgetBytes: 8 * 1024 * 1024, schemas: [EMP, DEPT] });
  const emp = s.table('emp');
  const rows: [string, number, number, boolean, number][] = [
    ['ann', 1, 100, true, 10],
    ['bob', 1, 200, false, 11],
    ['cyd', 2, 300, true, 12],
    ['dee', 3, 400, true, 10],
    ['éve', 2, 500, false, 13],
  ];
  rows.forEach(([name, dept, salary, active, pid], i) => emp.appendRow({ time_: NOW - (10 - i) * 1e9, name, dept, salary, active, upid: upid(pid) }));
  const dept = s.table('dept');
  [
    [1, 'eng'],
    [2, 'ops'],
    [4, 'law'],
  ].forEach(([id, title]) => dept.appendRow({ time_: NOW - 20e9, id, title }));
  return s;
}

/** Metadata with fixed answers, so that tests do not depend on this host's processes. */
const md: Metadata = Object.assign(Object.create(HostMetadata.prototype) as HostMetadata, {
  pid: (u: UInt128) => u.high,
  service: (u: UInt128) => `host/svc${u.high}`,
  pod: (u: UInt128) => `host/pod${u.high}`,
  cmdline: (u: UInt128) => `cmd ${u.high}`,
});

const schemas = new Map([
  ['emp', EMP],
  ['dept', DEPT],
]);

/** Runs a script and returns the rows of its only (or named) output. */
function run(src: string, name?: string): Record<string, unknown>[] {
  const c = compileScript(`import px\n${src}`, { schemas, nowNs: NOW });
  const out = runLocal(c, store(), { metadata: md });
  const r = name ? out.find((o) => o.name === name)! : out[0]!;
  return r.batches.flatMap(batchToObjects);
}
const col = (rows: Record<string, unknown>[], c: string): unknown[] => rows.map((r) => r[c]);

describe('engine operators', () => {
  it('source: time range and column selection', () => {
    const rows = run(`px.display(px.DataFrame(table='emp', select=['name'], start_time=px.now() - px.parse_duration('8s')))`);
    assert.deepEqual(rows, [{ name: 'cyd' }, { name: 'dee' }, { name: 'éve' }]);
  });

  it('filter over numbers, strings, booleans and UTF-8', () => {
    assert.deepEqual(col(run(`df = px.DataFrame(table='emp')\npx.display(df[df.salary > 250 and df.active])`), 'name'), ['cyd', 'dee']);
    assert.deepEqual(col(run(`df = px.DataFrame(table='emp')\npx.display(df[df.name == 'éve' or df.name != df.name])`), 'name'), ['éve']);
    assert.deepEqual(col(run(`df = px.DataFrame(table='emp')\npx.display(df[not df.active])`), 'name'), ['bob', 'éve']);
    assert.deepEqual(col(run(`df = px.DataFrame(table='emp')\npx.display(df[df.dept in [2, 3]])`), 'name'), ['cyd', 'dee', 'éve']);
  });

  it('map: arithmetic, strings, select, metadata', () => {
    const rows = run(`df = px.DataFrame(table='emp')
df.k = df.salary / 100 + df.dept * 2
df.tag = df.name + '@' + px.select(df.active, 'on', 'off')
df.len = px.length(df.name)
df.svc = df.ctx['service']
df.pid = df.ctx['pid']
df.m = px.regex_match('[a-c].*', df.name)
df.sub = px.substring(df.name, 1, 2)
df.rep = px.replace('[aeiou]', df.name, '_')
df.num = px.atoi(px.substring('x12', 1, 2), 0) + df.dept % 2
px.display(df[['k', 'tag', 'len', 'svc', 'pid', 'm', 'sub', 'rep', 'num']].head(2))`);
    assert.deepEqual(rows, [
      { k: 3, tag: 'ann@on', len: 3, svc: 'host/svc10', pid: 10, m: true, sub: 'nn', rep: '_nn', num: 13 },
      { k: 4, tag: 'bob@off', len: 3, svc: 'host/svc11', pid: 11, m: true, sub: 'ob', rep: 'b_b', num: 13 },
    ]);
  });

  it('groupby with count, sum, mean, min, max and any over several keys', () => {
    const rows = run(`df = px.DataFrame(table='emp')
df = df.groupby(['dept', 'active']).agg(n=('name', px.count), total=('salary', px.sum), avg=('salary', px.mean), lo=('salary', px.min), hi=('salary', px.max), who=('name', px.any))
px.display(df)`);
    assert.deepEqual(rows, [
      { dept: 1, active: true, n: 1, total: 100, avg: 100, lo: 100, hi: 100, who: 'ann' },
      { dept: 1, active: false, n: 1, total: 200, avg: 200, lo: 200, hi: 200, who: 'bob' },
      { dept: 2, active: true, n: 1, total: 300, avg: 300, lo: 300, hi: 300, who: 'cyd' },
      { dept: 3, active: true, n: 1, total: 400, avg: 400, lo: 400, hi: 400, who: 'dee' },
      { dept: 2, active: false, n: 1, total: 500, avg: 500, lo: 500, hi: 500, who: 'éve' },
    ]);
    const one = run(`df = px.DataFrame(table='emp').groupby('dept').agg(n=('salary', px.count), avg=('salary', px.mean))\npx.display(df)`);
    assert.deepEqual(one, [
      { dept: 1, n: 2, avg: 150 },
      { dept: 2, n: 2, avg: 400 },
      { dept: 3, n: 1, avg: 400 },
    ]);
  });

  it('groupby on a upid and on a computed string; agg without groups; distinct', () => {
    assert.deepEqual(col(run(`df = px.DataFrame(table='emp').groupby('upid').agg(n=('name', px.count))\ndf.pid = df.ctx['pid']\npx.display(df)`), 'n'), [2, 1, 1, 1]);
    assert.deepEqual(run(`df = px.DataFrame(table='emp')\ndf.s = df.ctx['service']\npx.display(df.groupby('s').agg(n=('name', px.count)).head(1))`), [{ s: 'host/svc10', n: 2 }]);
    assert.deepEqual(run(`px.display(px.DataFrame(table='emp').agg(n=('name', px.count), total=('salary', px.sum)))`), [{ n: 5, total: 1500 }]);
    assert.deepEqual(run(`df = px.DataFrame(table='emp', start_time=px.now() + 5)\npx.display(df.agg(n=('name', px.count)))`), [{ n: 0 }]);
    assert.deepEqual(col(run(`px.display(px.DataFrame(table='emp').groupby('dept').agg())`), 'dept'), [1, 2, 3]);
  });

  describe('joins', () => {
    const join = (how: string): Record<string, unknown>[] =>
      run(`e = px.DataFrame(table='emp', select=['name', 'dept'])
d = px.DataFrame(table='dept', select=['id', 'title'])
px.display(e.merge(d, how='${how}', left_on='dept', right_on='id'))`);
    it('inner', () => {
      assert.deepEqual(join('inner').map((r) => `${r.name}:${r.title}`), ['ann:eng', 'bob:eng', 'cyd:ops', 'éve:ops']);
    });
    it('left keeps unmatched left rows with zero values', () => {
      assert.deepEqual(join('left').map((r) => `${r.name}:${r.title}:${r.id}`), ['ann:eng:1', 'bob:eng:1', 'cyd:ops:2', 'dee::0', 'éve:ops:2']);
    });
    it('right keeps unmatched right rows, with the key from the right', () => {
      assert.deepEqual(join('right').map((r) => `${r.name}:${r.dept}:${r.title}`), ['ann:1:eng', 'bob:1:eng', 'cyd:2:ops', 'éve:2:ops', ':4:law']);
    });
    it('outer keeps both', () => {
      assert.deepEqual(join('outer').map((r) => `${r.name}:${r.title}`), ['ann:eng', 'bob:eng', 'cyd:ops', 'dee:', 'éve:ops', ':law']);
    });
    it('on several keys, with suffixes for shared names', () => {
      const rows = run(`a = px.DataFrame(table='emp', select=['name', 'dept', 'active'])
b = px.DataFrame(table='emp', select=['name', 'dept', 'salary'])
b = b[b.salary > 150]
px.display(a.merge(b, how='inner', left_on=['name', 'dept'], right_on=['name', 'dept'], suffixes=['', '_b']))`);
      assert.deepEqual(col(rows, 'name'), ['bob', 'cyd', 'dee', 'éve']);
      assert.deepEqual(Object.keys(rows[0]!), ['name', 'dept', 'active', 'name_b', 'dept_b', 'salary']);
    });
  });

  it('union, limit and sort', () => {
    const rows = run(`a = px.DataFrame(table='emp', select=['name', 'salary'])
b = px.DataFrame(table='emp', select=['salary', 'name'])
b = b[b.salary > 400]
df = a.append(b).sort('salary', ascending=False).head(3)
px.display(df)`);
    assert.deepEqual(rows, [
      { name: 'éve', salary: 500 },
      { name: 'éve', salary: 500 },
      { name: 'dee', salary: 400 },
    ]);
  });

  it('bin, pluck and equals_any', () => {
    const rows = run(`df = px.DataFrame(table='emp')
df.b = px.bin(df.salary, 200)
df.j = '{"a": 1.5, "s": "x"}'
df.a = px.pluck_float64(df.j, 'a')
df.s = px.pluck(df.j, 's')
df.i = px.pluck_int64(df.j, 'a')
df.e = px.equals_any(df.name, ['bob', 'dee'])
px.display(df[['b', 'a', 's', 'i', 'e']].head(2))`);
    assert.deepEqual(rows, [
      { b: 0, a: 1.5, s: 'x', i: 1, e: false },
      { b: 200, a: 1.5, s: 'x', i: 1, e: true },
    ]);
  });
});
