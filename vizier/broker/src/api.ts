import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isNixieError } from '@nixie/core';
import { isPxlError, listBundles } from '@nixie/engine';
import type { QueryBroker, QueryRequest } from './broker.js';
import { createVizierError, VizierError } from './errors.js';
import { batchRows } from './json-rows.js';
import type { AgentRegistry } from './registry.js';

export interface ApiOptions {
  broker: QueryBroker;
  registry: AgentRegistry;
  /** host:port (config vizier.listen); port 0 picks a free one. */
  listen: string;
  /** Where bundled scripts live, for GET /api/v1/scripts. */
  scriptsDir?: string;
  /** Rows per NDJSON line at most; large batches are split. */
  rowsPerLine?: number;
}

export interface ApiServer {
  /** http://host:port the API listens on. */
  readonly url: string;
  close(): Promise<void>;
}

const ENDPOINTS = 'POST /api/v1/run, GET /api/v1/agents, GET /api/v1/scripts, GET /api/v1/schemas';
const MAX_BODY = 4 * 1024 * 1024;

/** Splits "host:port" (IPv6 hosts in brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen.trim());
  if (!m) throw createVizierError('NIXIE_ERR_VIZIER_LISTEN', listen, 'expected host:port, e.g. 127.0.0.1:50300');
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}

/** An error as the one NDJSON/JSON line the API sends: {type:'error', code, message}. */
export function errorBody(e: unknown): { type: 'error'; code: string; message: string } {
  if (e instanceof VizierError || isNixieError(e) || isPxlError(e)) return { type: 'error', code: e.code, message: e.message };
  return { type: 'error', code: 'NIXIE_ERR_VIZIER_EXECUTE', message: (e as Error).message ?? String(e) };
}

function statusOf(e: unknown): number {
  if (isPxlError(e)) return 400;
  if (e instanceof VizierError) {
    if (e.code === 'NIXIE_ERR_VIZIER_BAD_REQUEST') return 400;
    if (e.code === 'NIXIE_ERR_VIZIER_NOT_FOUND') return 404;
    if (e.code === 'NIXIE_ERR_VIZIER_NO_AGENTS' || e.code === 'NIXIE_ERR_VIZIER_NO_AGENTS_WITH_TABLES' || e.code === 'NIXIE_ERR_VIZIER_ALL_AGENTS_FAILED') return 503;
  }
  return 500;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > MAX_BODY) throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', `body larger than ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Checks a /run body and returns it as a QueryRequest; a bad field is a BAD_REQUEST naming it. */
export function parseRunRequest(text: string): QueryRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', `body is not JSON (${(e as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = ['script', 'bundle', 'vis', 'args', 'func', 'now_ns'];
  for (const k of Object.keys(b)) {
    if (!known.includes(k)) throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', `unknown field "${k}" (fields: ${known.join(', ')})`);
  }
  if ((b.script === undefined) === (b.bundle === undefined)) {
    throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', 'give exactly one of "script" (PxL source) and "bundle" (e.g. "px/http_data")');
  }
  if (b.script !== undefined && typeof b.script !== 'string') throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', '"script" must be a string');
  if (b.bundle !== undefined && typeof b.bundle !== 'string') throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', '"bundle" must be a string');
  if (b.func !== undefined && typeof b.func !== 'string') throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', '"func" must be a string');
  if (b.now_ns !== undefined && typeof b.now_ns !== 'number') throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', '"now_ns" must be a number');
  if (b.vis !== undefined && (typeof b.vis !== 'object' || b.vis === null)) throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', '"vis" must be a vis.json object');
  const args: Record<string, string> = {};
  if (b.args !== undefined) {
    if (typeof b.args !== 'object' || b.args === null || Array.isArray(b.args)) {
      throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', '"args" must be an object of name: value');
    }
    for (const [k, v] of Object.entries(b.args as Record<string, unknown>)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', `args.${k} must be a string, number or boolean`);
      }
      args[k] = String(v);
    }
  }
  return {
    ...(typeof b.script === 'string' ? { script: b.script } : {}),
    ...(typeof b.bundle === 'string' ? { bundle: b.bundle } : {}),
    ...(b.vis !== undefined ? { vis: b.vis as QueryRequest['vis'] } : {}),
    ...(typeof b.func === 'string' ? { func: b.func } : {}),
    ...(typeof b.now_ns === 'number' ? { nowNs: b.now_ns } : {}),
    args,
  };
}

/**
 * Vizier's HTTP API (node:http). POST /api/v1/run streams NDJSON: `started`, `agent` progress,
 * `warning` lines while agents answer, then per output a `table` line (columns) and `rows` lines,
 * and finally `end` — or an `error` line with code and message.
 */
export async function startApi(opts: ApiOptions): Promise<ApiServer> {
  const { host, port } = parseListen(opts.listen);
  const rowsPerLine = opts.rowsPerLine ?? 1000;
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, statusOf(e), errorBody(e));
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /api/v1/agents':
        return sendJson(res, 200, { agents: opts.registry.list() });
      case 'GET /api/v1/scripts':
        return sendJson(res, 200, { scripts: listBundles(...(opts.scriptsDir ? [opts.scriptsDir] : [])) });
      case 'GET /api/v1/schemas':
        return sendJson(res, 200, { tables: [...opts.broker.schemas().values()] });
      case 'POST /api/v1/run':
        return run(req, res);
      default:
        throw createVizierError('NIXIE_ERR_VIZIER_NOT_FOUND', req.method, url.pathname, ENDPOINTS);
    }
  }

  async function run(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parseRunRequest(await readBody(req));
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    const it = opts.broker.run(request, ac.signal);
    // Compile errors and "no agents" come before the first event: answer them with a status code.
    const first = await it.next();
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    const line = (v: unknown): void => void res.write(JSON.stringify(v) + '\n');
    try {
      for (let r = first; !r.done; r = await it.next()) {
        const ev = r.value;
        if (ev.type === 'batch') {
          const rows = batchRows(ev.batch);
          for (let i = 0; i < rows.length; i += rowsPerLine) line({ type: 'rows', table: ev.table, rows: rows.slice(i, i + rowsPerLine) });
        } else {
          line(ev);
        }
      }
    } catch (e) {
      line(errorBody(e));
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(createVizierError('NIXIE_ERR_VIZIER_LISTEN', opts.listen, e.message)));
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as { port: number };
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
