import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Client } from '@elastic/elasticsearch';
import { createLogger, PluginHost, TableStore, type RowBatch } from '@nixie/core';
import plugin, { defaultOptions, type ClientOptions, EsExporter, indexName, isoNanos, type EsOptions } from '../src/index.js';

// The mock is CommonJS and answers with errors of the client's CommonJS build: load both through require.
const require = createRequire(import.meta.url);
const Mock = require('@elastic/elasticsearch-mock') as (typeof import('@elastic/elasticsearch-mock'))['default'];
const { errors } = require('@elastic/elasticsearch') as typeof import('@elastic/elasticsearch');

/** A client whose connection is the mock's (a CommonJS class, typed apart from the ESM one). */
function mockClient(mock: InstanceType<typeof Mock>): Client {
  return new Client({ node: 'http://127.0.0.1:9200', Connection: mock.getConnection() as unknown as ClientOptions['Connection'], maxRetries: 0 });
}

const DAY1 = Date.UTC(2026, 10, 21, 23, 59, 59, 500) * 1e6;
const DAY2 = Date.UTC(2026, 10, 22, 0, 0, 1) * 1e6;

type MockParams = { path: string | string[]; body?: unknown };

interface BulkCall {
  ops: Array<Record<string, unknown>>;
}

function rows(n: number, over: (i: number) => Record<string, unknown> = () => ({})): RowBatch[] {
  const store = new TableStore({ budgetBytes: 16 * 1024 * 1024 });
  for (let i = 0; i < n; i++) {
    store.table('http_events').appendRow({
      time_: DAY1 + i * 1000,
      upid: { high: 4242, low: 777 },
      remote_addr: '10.0.0.7',
      remote_port: 5000 + i,
      local_addr: '',
      local_port: 80,
      trace_role: 2,
      req_method: 'GET',
      req_path: `/p/${i}`,
      req_body: 'hello body',
      resp_status: 200,
      latency: 1234,
      ...over(i),
    });
  }
  return store.table('http_events').takeUnpublished();
}

function fixture(opts: Partial<EsOptions> = {}) {
  const mock = new Mock();
  const client = mockClient(mock);
  const bulks: BulkCall[] = [];
  const templates: Array<{ name: string; body: Record<string, unknown> }> = [];
  mock.add({ method: 'PUT', path: '/_index_template/:name' }, (p: MockParams) => {
    templates.push({ name: String(p.path).split('/').pop()!, body: p.body as Record<string, unknown> });
    return { acknowledged: true };
  });
  const exporter = new EsExporter(defaultOptions({ node: 'http://127.0.0.1:9200', flush_interval_ms: 10, retry_min_ms: 10, retry_max_ms: 40, request_timeout_ms: 2000, ...opts }), {
    client,
    log: createLogger('silent'),
  });
  return { mock, client, exporter, bulks, templates };
}

/** A bulk handler that records the request and answers with `answer` (by call number). */
function onBulk(f: ReturnType<typeof fixture>, answer: (call: number, ops: Array<Record<string, unknown>>) => Record<string, unknown> | Error): void {
  f.mock.add({ method: 'POST', path: '/_bulk' }, (p: MockParams) => {
    const ops = p.body as Array<Record<string, unknown>>;
    f.bulks.push({ ops });
    return answer(f.bulks.length, ops) as Record<string, unknown>;
  });
}

const ok = (ops: Array<Record<string, unknown>>) => ({
  errors: false,
  took: 1,
  items: ops.filter((_, k) => k % 2 === 0).map(() => ({ index: { status: 201 } })),
});

function docsOf(calls: BulkCall[]): Array<{ index: string; doc: Record<string, unknown> }> {
  const out: Array<{ index: string; doc: Record<string, unknown> }> = [];
  for (const c of calls) {
    for (let k = 0; k < c.ops.length; k += 2) out.push({ index: (c.ops[k]!.index as { _index: string })._index, doc: c.ops[k + 1]! });
  }
  return out;
}

const responseError = (status: number) =>
  new errors.ResponseError({ body: { error: { type: 'x' }, status }, statusCode: status, headers: {}, warnings: null, meta: {} as never });

describe('@nixie/exporter-elasticsearch against @elastic/elasticsearch-mock', function () {
  this.timeout(10000);

  it('installs an index template per table with mappings derived from the schema', async () => {
    const f = fixture({ tables: ['http_events', 'redis_events'] });
    await f.exporter.start();
    assert.deepEqual(f.templates.map((t) => t.name).sort(), ['nixie-http_events', 'nixie-redis_events']);
    const http = f.templates.find((t) => t.name === 'nixie-http_events')!.body as {
      index_patterns: string[];
      template: { mappings: { properties: Record<string, { type: string }> } };
    };
    assert.deepEqual(http.index_patterns, ['nixie-http_events-*']);
    const p = http.template.mappings.properties;
    assert.equal(p['@timestamp']!.type, 'date_nanos');
    assert.equal(p.time_, undefined, 'time_ is the @timestamp');
    assert.equal(p.upid!.type, 'keyword');
    assert.equal(p.remote_addr!.type, 'ip');
    assert.equal(p.remote_port!.type, 'long');
    assert.equal(p.encrypted!.type, 'boolean');
    assert.equal(p.req_body!.type, 'text');
    assert.equal(p.req_method!.type, 'keyword');
    await f.exporter.shutdown();
  });

  it('sends rows as bulk documents into an index per table and UTC day', async () => {
    const f = fixture();
    onBulk(f, (_n, ops) => ok(ops));
    await f.exporter.start();
    for (const b of rows(3, (i) => (i === 2 ? { time_: DAY2 } : {}))) f.exporter.export('http_events', b);
    await f.exporter.forceFlush();
    const docs = docsOf(f.bulks);
    assert.deepEqual(
      docs.map((d) => d.index),
      ['nixie-http_events-2026.11.21', 'nixie-http_events-2026.11.21', 'nixie-http_events-2026.11.22'],
    );
    const d = docs[0]!.doc;
    assert.equal(d['@timestamp'], '2026-11-21T23:59:59.500000000Z');
    assert.equal(d.upid, '00000000-0000-1092-0000-000000000309');
    assert.equal(d.remote_addr, '10.0.0.7');
    assert.equal('local_addr' in d, false, 'an empty address is left out, not sent to an ip field');
    assert.equal(d.remote_port, 5000);
    assert.equal(d.req_path, '/p/0');
    assert.equal(d.encrypted, false);
    assert.equal(d.latency, 1234);
    assert.deepEqual(f.exporter.stats(), { exported: 3, dropped: 0, rejected: 0, failed: 0, queued: 0, bulkRequests: 1, templatesInstalled: 5 });
    await f.exporter.shutdown();
  });

  it('sends a bulk again after a 503 or a connection error, with nothing lost or doubled', async () => {
    const f = fixture();
    onBulk(f, (n, ops) => (n === 1 ? responseError(503) : n === 2 ? new errors.ConnectionError('socket hang up') : ok(ops)));
    await f.exporter.start();
    for (const b of rows(5)) f.exporter.export('http_events', b);
    await f.exporter.forceFlush();
    assert.equal(f.bulks.length, 3);
    assert.deepEqual(f.bulks[2]!.ops, f.bulks[0]!.ops, 'the same documents, in order');
    const st = f.exporter.stats();
    assert.equal(st.exported, 5);
    assert.equal(st.failed, 2);
    assert.equal(st.dropped, 0);
    await f.exporter.shutdown();
  });

  it('retries only throttled items and counts documents Elasticsearch refuses as dropped', async () => {
    const f = fixture();
    onBulk(f, (n, ops) => {
      if (n > 1) return ok(ops);
      return {
        errors: true,
        took: 1,
        items: [
          { index: { status: 201 } },
          { index: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } },
          { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad field' } } },
          { index: { status: 201 } },
        ],
      };
    });
    await f.exporter.start();
    for (const b of rows(4)) f.exporter.export('http_events', b);
    await f.exporter.forceFlush();
    assert.equal(f.bulks.length, 2);
    assert.deepEqual(
      docsOf([f.bulks[1]!]).map((d) => d.doc.req_path),
      ['/p/1'],
      'only the throttled document is sent again',
    );
    const st = f.exporter.stats();
    assert.equal(st.exported, 3);
    assert.equal(st.rejected, 1);
    assert.equal(st.dropped, 1);
    await f.exporter.shutdown();
  });

  it('does not retry a bulk refused as a whole with a 4xx; counts its documents', async () => {
    const f = fixture();
    onBulk(f, () => responseError(400));
    await f.exporter.start();
    for (const b of rows(2)) f.exporter.export('http_events', b);
    await f.exporter.forceFlush();
    assert.equal(f.bulks.length, 1);
    assert.equal(f.exporter.stats().dropped, 2);
    await f.exporter.shutdown();
  });

  it('applies backpressure: beyond the queue bound, documents are dropped and counted', async () => {
    const f = fixture({ max_queue_size: 10, bulk_size: 100, request_timeout_ms: 200 });
    onBulk(f, () => responseError(503));
    await f.exporter.start();
    for (const b of rows(15)) f.exporter.export('http_events', b);
    const st = f.exporter.stats();
    assert.equal(st.dropped, 5);
    assert.equal(st.queued, 10);
    await f.exporter.shutdown();
    assert.equal(f.exporter.stats().dropped, 15, 'what could not be sent by shutdown is counted too');
  });

  it('holds documents until the index templates are in place', async () => {
    const mock = new Mock();
    const client = mockClient(mock);
    let templateCalls = 0;
    const order: string[] = [];
    mock.add({ method: 'PUT', path: '/_index_template/:name' }, () => {
      order.push('template');
      return ++templateCalls === 1 ? responseError(503) : { acknowledged: true };
    });
    mock.add({ method: 'POST', path: '/_bulk' }, (p: MockParams) => {
      order.push('bulk');
      return ok(p.body as Array<Record<string, unknown>>);
    });
    const x = new EsExporter(defaultOptions({ node: 'http://x', tables: ['http_events'], flush_interval_ms: 5, retry_min_ms: 5 }), { client, log: createLogger('silent') });
    await x.start();
    for (const b of rows(2)) x.export('http_events', b);
    await x.forceFlush();
    assert.deepEqual(order, ['template', 'template', 'bulk']);
    assert.equal(x.stats().exported, 2);
    await x.shutdown();
  });

  it('as a plugin: off without a node, and validates its options', async () => {
    const host = new PluginHost({ log: createLogger('silent') });
    host.register(plugin, {});
    await host.boot();
    assert.equal(host.exporters.length, 0);
    const h2 = new PluginHost({ log: createLogger('silent') });
    assert.throws(() => h2.register(plugin, { node: 'http://x', index_prefix: 'Bad Prefix' }), /option index_prefix/);
    const h3 = new PluginHost({ log: createLogger('silent') });
    h3.register(plugin, { node: 'http://127.0.0.1:1' });
    await h3.boot();
    assert.equal(h3.exporters.length, 1);
    await h3.exporters[0]!.shutdown();
  });

  it('formats index names and nanosecond timestamps', () => {
    assert.equal(indexName('nixie', 'stack_traces.beta', DAY2), 'nixie-stack_traces.beta-2026.11.22');
    // float64 holds today's ns to 256 ns, so the last digits are the nearest representable value.
    assert.match(isoNanos(Date.UTC(2026, 0, 2, 3, 4, 5, 6) * 1e6 + 789_000), /^2026-01-02T03:04:05\.0067(88|89)\d{3}Z$/);
  });
});
