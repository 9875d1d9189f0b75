import assert from 'node:assert/strict';
import { HTTP_EVENTS, TableStore } from '@nixie/core';
import { NixieClient, NixieApiError } from '@nixie/client';
import { parseRunRequest } from '../src/api.js';
import { startLocalVizier, type LocalVizier } from '../src/vizier.js';
import { fillHttpEvents, expectedByPath } from './data.js';

const BY_PATH = `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df.groupby('req_path').agg(n=('latency', px.count))
px.display(df, 'by_path')
`;

describe('vizier HTTP API (in-process bus, one local agent)', function () {
  this.timeout(30_000);
  let lv: LocalVizier;
  let client: NixieClient;
  before(async () => {
    const store = new TableStore({ budgetBytes: 64 * 1024 * 1024, schemas: [HTTP_EVENTS] });
    fillHttpEvents(store.table('http_events'), 0, 500, Date.now() * 1e6);
    lv = await startLocalVizier({
      config: { vizier: { listen: '127.0.0.1:0', query_timeout_ms: 10_000 }, nats: { url: '' } },
      store,
      agentId: 'local',
    });
    client = new NixieClient({ url: lv.url });
  });
  after(async () => lv?.stop());

  it('lists the local agent and its tables', async () => {
    const agents = await client.agents();
    assert.equal(agents.length, 1);
    assert.equal(agents[0]!.id, 'local');
    assert.equal(agents[0]!.state, 'live');
    assert.deepEqual(agents[0]!.tables, ['http_events']);
    const tables = await client.schemas();
    assert.ok(tables.some((t) => t.name === 'http_events' && t.columns.some((c) => c.name === 'req_path')));
    assert.ok(Array.isArray(await client.scripts()));
  });

  it('streams a query as NDJSON: started, agent, table, rows, end', async () => {
    const types: string[] = [];
    for await (const ev of client.run({ script: BY_PATH })) types.push(ev.type);
    assert.equal(types[0], 'started');
    assert.ok(types.includes('agent'));
    assert.ok(types.indexOf('table') < types.indexOf('rows'));
    assert.equal(types.at(-1), 'end');
    const result = await client.runToTables({ script: BY_PATH });
    const t = result.tables.get('by_path')!;
    assert.deepEqual(t.columns.map((c) => c.name), ['req_path', 'n']);
    const expected = expectedByPath(1, 500);
    assert.equal(t.rows.length, expected.size);
    for (const [path, n] of t.rows) assert.equal(n, expected.get(path as string)!.n);
    assert.deepEqual(result.warnings, []);
  });

  it('answers a compile error with 400 and the line and column', async () => {
    await assert.rejects(client.runToTables({ script: "import px\ndf = px.DataFrame(table='http_events')\ndf = df[df.req_pth == '/']\npx.display(df)\n" }), (e: unknown) => {
      assert.ok(e instanceof NixieApiError);
      assert.equal(e.status, 400);
      assert.match(e.message, /3:/);
      assert.match(e.message, /req_path/, 'suggests the nearest column');
      return true;
    });
  });

  it('answers bad input with a clear 400, and unknown paths with 404', async () => {
    const post = (body: string): Promise<Response> => fetch(`${lv.url}/api/v1/run`, { method: 'POST', body });
    for (const [body, msg] of [
      ['not json', /not JSON/],
      ['[]', /JSON object/],
      ['{}', /exactly one of "script"/],
      ['{"script":"x","bundle":"y"}', /exactly one of/],
      ['{"script":1}', /"script" must be a string/],
      ['{"script":"x","args":{"a":{}}}', /args\.a must be/],
      ['{"script":"x","colour":1}', /unknown field "colour"/],
    ] as const) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      const e = (await res.json()) as { code: string; message: string };
      assert.equal(e.code, 'NIXIE_ERR_VIZIER_BAD_REQUEST');
      assert.match(e.message, msg);
    }
    const res = await fetch(`${lv.url}/api/v1/nope`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { message: string }).message, /POST \/api\/v1\/run/);
  });

  it('answers 503 naming the table when no live agent has it', async () => {
    const script = "import px\ndf = px.DataFrame(table='redis_events')\npx.display(df, 'r')\n";
    await assert.rejects(client.runToTables({ script }), (e: unknown) => {
      assert.ok(e instanceof NixieApiError);
      assert.equal(e.status, 503);
      assert.equal(e.code, 'NIXIE_ERR_VIZIER_NO_AGENTS_WITH_TABLES');
      assert.match(e.message, /redis_events/);
      return true;
    });
  });

  it('names an unknown bundle', async () => {
    await assert.rejects(client.runToTables({ bundle: 'px/no_such_script' }), (e: unknown) => e instanceof NixieApiError && e.status === 400 && /no_such_script/.test(e.message));
  });

  it('collects every output in process (QueryBroker.collect)', async () => {
    const { outputs, warnings } = await lv.vizier.broker.collect({ script: BY_PATH });
    assert.deepEqual(warnings, []);
    assert.equal(outputs.length, 1);
    assert.equal(outputs[0]!.name, 'by_path');
    assert.equal(outputs[0]!.batches.reduce((n, b) => n + b.length, 0), expectedByPath(1, 500).size);
  });

  it('parseRunRequest keeps args as strings', () => {
    assert.deepEqual(parseRunRequest('{"bundle":"px/http_data","args":{"start_time":"-5m","n":3}}'), { bundle: 'px/http_data', args: { start_time: '-5m', n: '3' } });
  });
});

describe('NixieClient without a vizier', () => {
  it('says it cannot reach vizier and how to start it', async () => {
    await assert.rejects(new NixieClient({ url: 'http://127.0.0.1:1' }).agents(), (e: unknown) => e instanceof NixieApiError && /cannot reach vizier.*nixie up/.test(e.message));
  });
});
