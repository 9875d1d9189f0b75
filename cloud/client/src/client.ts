import type { AgentInfo, Cell, ColumnInfo, RunEvent, RunRequest, RunResult, ScriptInfo, TableInfo } from './types.js';

/** An error vizier answered with (code as in its error registry), or a transport failure. */
export class NixieApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NixieApiError';
  }
}

export interface ClientOptions {
  /** Vizier's API, e.g. http://127.0.0.1:50300. */
  url: string;
  /** Extra headers on every request (e.g. an API key once cloud has them). */
  headers?: Record<string, string>;
}

/** Typed client for vizier's HTTP API; run() streams results as they arrive. */
export class NixieClient {
  private readonly base: string;

  constructor(private readonly opts: ClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
  }

  /** Live and expired agents. */
  async agents(): Promise<AgentInfo[]> {
    return ((await this.getJson('/api/v1/agents')) as { agents: AgentInfo[] }).agents;
  }

  /** Bundled scripts on the vizier. */
  async scripts(): Promise<ScriptInfo[]> {
    return ((await this.getJson('/api/v1/scripts')) as { scripts: ScriptInfo[] }).scripts;
  }

  /** Tables the agents report. */
  async schemas(): Promise<TableInfo[]> {
    return ((await this.getJson('/api/v1/schemas')) as { tables: TableInfo[] }).tables;
  }

  /**
   * Runs a script and yields each NDJSON line as it arrives. A request vizier refuses (bad input,
   * compile error, no agents) throws NixieApiError; an error after results began is yielded as an
   * `error` event and then thrown.
   */
  async *run(req: RunRequest, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    const body = JSON.stringify({
      ...(req.script !== undefined ? { script: req.script } : {}),
      ...(req.bundle !== undefined ? { bundle: req.bundle } : {}),
      ...(req.vis !== undefined ? { vis: req.vis } : {}),
      ...(req.args ? { args: req.args } : {}),
      ...(req.func !== undefined ? { func: req.func } : {}),
      ...(req.nowNs !== undefined ? { now_ns: req.nowNs } : {}),
    });
    const res = await this.fetch('/api/v1/run', { method: 'POST', body, headers: { 'content-type': 'application/json' }, ...(signal ? { signal } : {}) });
    if (!res.ok) throw await errorOf(res);
    if (!res.body) throw new NixieApiError('NIXIE_ERR_CLIENT_PROTOCOL', 'vizier sent no body', res.status);
    const decoder = new TextDecoder();
    let buf = '';
    const reader = res.body.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (value) buf += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const text = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!text.trim()) continue;
          const ev = JSON.parse(text) as RunEvent;
          yield ev;
          if (ev.type === 'error') throw new NixieApiError(ev.code, ev.message);
          if (ev.type === 'end') return;
        }
        if (done) break;
      }
    } finally {
      reader.releaseLock();
    }
    throw new NixieApiError('NIXIE_ERR_CLIENT_PROTOCOL', 'the result stream ended early (vizier stopped?)');
  }

  /** Runs a script and collects every table. */
  async runToTables(req: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    const tables = new Map<string, { columns: ColumnInfo[]; rows: Cell[][] }>();
    const warnings: { agent: string; error: string }[] = [];
    let rows = 0;
    let ms = 0;
    for await (const ev of this.run(req, signal)) {
      if (ev.type === 'table') tables.set(ev.table, { columns: [...ev.columns], rows: [] });
      else if (ev.type === 'rows') tables.get(ev.table)?.rows.push(...ev.rows.map((r) => [...r]));
      else if (ev.type === 'warning') warnings.push({ agent: ev.agent, error: ev.error });
      else if (ev.type === 'end') {
        rows = ev.rows;
        ms = ev.ms;
      }
    }
    return { tables, warnings, rows, ms };
  }

  private async getJson(path: string): Promise<unknown> {
    const res = await this.fetch(path, { method: 'GET' });
    if (!res.ok) throw await errorOf(res);
    return res.json();
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(this.base + path, { ...init, headers: { ...this.opts.headers, ...(init.headers as Record<string, string> | undefined) } });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new NixieApiError(
        'NIXIE_ERR_CLIENT_UNREACHABLE',
        `cannot reach vizier at ${this.base} (${cause?.code ?? cause?.message ?? (e as Error).message}); is it running? start it with \`nixie up\``,
      );
    }
  }
}

async function errorOf(res: Response): Promise<NixieApiError> {
  const text = await res.text();
  try {
    const e = JSON.parse(text.split('\n')[0]!) as { code?: string; message?: string };
    if (e.code && e.message) return new NixieApiError(e.code, e.message, res.status);
  } catch {
    // Not our JSON: fall through to the raw text.
  }
  return new NixieApiError('NIXIE_ERR_CLIENT_HTTP', `vizier answered ${res.status}: ${text.slice(0, 200)}`, res.status);
}

/** A row as an object keyed by column name. */
export function rowObject(columns: readonly ColumnInfo[], row: readonly Cell[]): Record<string, Cell> {
  const o: Record<string, Cell> = {};
  columns.forEach((c, i) => (o[c.name] = row[i] ?? null));
  return o;
}
