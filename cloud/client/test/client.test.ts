import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { NixieApiError, NixieClient, rowObject } from '../src/client.js';
import type { RunEvent } from '../src/types.js';

/** A fake vizier whose /run answer is written in the given pieces, with pauses between them. */
function fakeVizier(pieces: string[], status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/x-ndjson' });
    let i = 0;
    const next = (): void => {
      if (i === pieces.length) return void res.end();
      res.write(pieces[i++]!);
      setTimeout(next, 5);
    };
    next();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

const lines: RunEvent[] = [
  { type: 'started', queryId: 'q', agents: ['a', 'b'] },
  { type: 'warning', agent: 'b', error: 'did not answer' },
  { type: 'table', table: 't', columns: [{ name: 'x', type: 'INT64' }, { name: 's', type: 'STRING' }] },
  { type: 'rows', table: 't', rows: [[1, 'é'], [2, 'z']] },
  { type: 'end', queryId: 'q', rows: 2, ms: 3, warnings: [{ agent: 'b', error: 'did not answer' }] },
];

describe('NixieClient', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('parses NDJSON split at every place, multi-byte characters included', async () => {
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    const bytes = Buffer.from(text);
    // Writes of 7 bytes split lines, and the UTF-8 é, in odd places.
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200);
      for (let i = 0; i < bytes.length; i += 7) res.write(bytes.subarray(i, i + 7));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    const client = new NixieClient({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` });
    const result = await client.runToTables({ script: 'x' });
    assert.deepEqual(result.tables.get('t')!.rows, [[1, 'é'], [2, 'z']]);
    assert.deepEqual(result.warnings, [{ agent: 'b', error: 'did not answer' }]);
    assert.equal(result.rows, 2);
    assert.deepEqual(rowObject(result.tables.get('t')!.columns, [1, 'é']), { x: 1, s: 'é' });
  });

  it('throws the error line sent after results began, with its code', async () => {
    const { url, server } = await fakeVizier([JSON.stringify(lines[0]) + '\n', JSON.stringify({ type: 'error', code: 'NIXIE_ERR_VIZIER_EXECUTE', message: 'query failed: x' }) + '\n']);
    servers.push(server);
    await assert.rejects(new NixieClient({ url }).runToTables({ script: 'x' }), (e: unknown) => e instanceof NixieApiError && e.code === 'NIXIE_ERR_VIZIER_EXECUTE');
  });

  it('says so when the stream ends without an end line', async () => {
    const { url, server } = await fakeVizier([JSON.stringify(lines[0]) + '\n']);
    servers.push(server);
    await assert.rejects(new NixieClient({ url }).runToTables({ script: 'x' }), /ended early/);
  });

  it('turns an error status into NixieApiError with the code vizier sent', async () => {
    const { url, server } = await fakeVizier([JSON.stringify({ type: 'error', code: 'NIXIE_ERR_VIZIER_BAD_REQUEST', message: 'bad request: nope' })], 400);
    servers.push(server);
    await assert.rejects(new NixieClient({ url }).runToTables({ script: 'x' }), (e: unknown) => e instanceof NixieApiError && e.status === 400 && e.code === 'NIXIE_ERR_VIZIER_BAD_REQUEST');
  });
});
