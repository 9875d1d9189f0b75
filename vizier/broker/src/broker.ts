import { randomUUID } from 'node:crypto';
import { TABLES, type RowBatch, type TableSchema } from '@nixie/core';
import {
  compileBundle,
  compileScript,
  decodeBatch,
  executeVizierFragment,
  loadBundle,
  splitPlan,
  type AgentResult,
  type CompiledScript,
  type DistributedPlan,
  type QueryResult,
  type Metadata,
  type PlanNode,
  type ScriptBundle,
  type Vis,
} from '@nixie/engine';
import type { Bus } from './bus.js';
import { createVizierError, VizierError } from './errors.js';
import type { AgentRegistry } from './registry.js';
import { ReplyStreamError, requestStream } from './stream.js';
import { SUBJECTS } from './subjects.js';
import { toBytes, type AgentInfo, type AgentQueryRequest } from './wire.js';

/** A script to run: PxL source (optionally with its vis.json), or a bundled script's name. */
export interface QueryRequest {
  readonly script?: string;
  readonly bundle?: string;
  /** vis.json of a local bundle sent as source. */
  readonly vis?: Vis;
  /** Script arguments (vis variables or the function's parameters), as strings. */
  readonly args?: Readonly<Record<string, string>>;
  /** Run this script function and show what it returns. */
  readonly func?: string;
  /** "Now" in ns since epoch for relative times; the current time by default. */
  readonly nowNs?: number;
  /** px.plugin.start_time/end_time: the window a scheduled export script covers. */
  readonly pluginWindow?: { readonly startNs: number; readonly endNs: number };
}

/** Column of an output table, as the API describes it. */
export interface OutputColumn {
  readonly name: string;
  readonly type: string;
  readonly semantic?: string;
}

/** What a query yields, in order: progress and warnings while agents answer, then each table's rows. */
export type QueryEvent =
  | { readonly type: 'started'; readonly queryId: string; readonly agents: readonly string[] }
  | { readonly type: 'agent'; readonly agent: string; readonly ok: boolean; readonly rows: number; readonly ms: number }
  | { readonly type: 'warning'; readonly agent: string; readonly error: string }
  | { readonly type: 'table'; readonly table: string; readonly columns: readonly OutputColumn[] }
  | { readonly type: 'batch'; readonly table: string; readonly batch: RowBatch }
  | { readonly type: 'end'; readonly queryId: string; readonly rows: number; readonly ms: number; readonly warnings: readonly { agent: string; error: string }[] };

export interface BrokerOptions {
  bus: Bus;
  registry: AgentRegistry;
  /** An agent that has not acknowledged a query within this time is taken as gone. */
  ackTimeoutMs?: number;
  /** An agent's whole answer must arrive within this time (config vizier.query_timeout_ms). */
  queryTimeoutMs?: number;
  /** Rows per message from agents. */
  batchRows?: number;
  /** Metadata for the vizier-side operators (the engine's default when absent). */
  metadata?: Metadata;
  /** Where bundled scripts live (the repository's px/ by default). */
  scriptsDir?: string;
}

/**
 * Vizier's query broker: compiles a script against the tables live agents report, splits it, sends
 * the agent fragment to every live agent over the Bus, merges what comes back with the vizier
 * fragment and yields the result tables. An agent that fails, times out or leaves is named in a
 * warning and the query goes on with the others.
 */
export class QueryBroker {
  private readonly ackTimeoutMs: number;
  private readonly queryTimeoutMs: number;

  constructor(private readonly opts: BrokerOptions) {
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 5000;
    this.queryTimeoutMs = opts.queryTimeoutMs ?? 30_000;
  }

  /** Tables a script can read: what live agents report, over core's tables (so errors name them all). */
  schemas(): Map<string, TableSchema> {
    const out = new Map<string, TableSchema>();
    for (const s of TABLES.values()) out.set(s.name, s);
    for (const [name, s] of this.opts.registry.schemas()) out.set(name, s);
    return out;
  }

  /** Compiles a request; compile errors (PxlError) and bad requests throw before anything runs. */
  compile(req: QueryRequest): CompiledScript {
    const schemas = this.schemas();
    const args = req.args ?? {};
    const nowNs = req.nowNs;
    const win = req.pluginWindow ? { pluginWindow: req.pluginWindow } : {};
    if (req.bundle !== undefined) {
      const bundle = loadBundle(req.bundle, this.opts.scriptsDir ? { scriptsDir: this.opts.scriptsDir } : {});
      if (req.func !== undefined) return compileScript(bundle.pxl, { schemas, args, funcName: req.func, nowNs, ...win });
      return compileBundle(bundle, { schemas, args, nowNs, ...win });
    }
    if (req.script === undefined) throw createVizierError('NIXIE_ERR_VIZIER_BAD_REQUEST', 'give "script" (PxL source) or "bundle" (a script name)');
    if (req.func !== undefined) return compileScript(req.script, { schemas, args, funcName: req.func, nowNs, ...win });
    const bundle: ScriptBundle = { name: 'script', path: '', pxl: req.script, manifest: { short: '', long: '' }, ...(req.vis ? { vis: req.vis } : {}) };
    return compileBundle(bundle, { schemas, args, nowNs, ...win });
  }

  /** Runs a request across every live agent; see QueryEvent for what it yields. */
  async *run(req: QueryRequest, signal?: AbortSignal): AsyncGenerator<QueryEvent> {
    const started = performance.now();
    const compiled = this.compile(req);
    const live = this.opts.registry.live();
    if (live.length === 0) throw createVizierError('NIXIE_ERR_VIZIER_NO_AGENTS');
    const plan = splitPlan(compiled);
    // Ask only agents that have every table the fragments read: another agent would only fail.
    const needed = sourceTables(plan);
    const agents = live.filter((a) => needed.every((t) => a.tables.includes(t)));
    if (agents.length === 0) throw createVizierError('NIXIE_ERR_VIZIER_NO_AGENTS_WITH_TABLES', needed.join(', '), live.length);
    const queryId = randomUUID();
    yield { type: 'started', queryId, agents: agents.map((a) => a.id) };

    const events: QueryEvent[] = [];
    let wake: (() => void) | undefined;
    const note = (e: QueryEvent): void => {
      events.push(e);
      wake?.();
    };
    const warnings: { agent: string; error: string }[] = [];
    const results: AgentResult[] = [];
    let pending = agents.length;
    const payload = toBytes({
      queryId,
      fragments: plan.agent.nodes,
      ...(this.opts.batchRows ? { batchRows: this.opts.batchRows } : {}),
    } satisfies AgentQueryRequest);
    for (const agent of agents) {
      void this.queryAgent(agent, plan, payload, signal).then(
        ({ result, rows, ms }) => {
          results.push(result);
          pending--;
          note({ type: 'agent', agent: agent.id, ok: true, rows, ms });
        },
        (e: unknown) => {
          const error = describeAgentError(e);
          warnings.push({ agent: agent.id, error });
          pending--;
          note({ type: 'warning', agent: agent.id, error });
          note({ type: 'agent', agent: agent.id, ok: false, rows: 0, ms: performance.now() - started });
        },
      );
    }
    while (pending > 0 || events.length > 0) {
      if (events.length === 0) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      while (events.length) yield events.shift()!;
    }
    if (signal?.aborted) throw new ReplyStreamError('cancelled', 'query cancelled');
    if (results.length === 0) throw createVizierError('NIXIE_ERR_VIZIER_ALL_AGENTS_FAILED', warnings.map((w) => `${w.agent}: ${w.error}`).join('; '));

    let outputs;
    try {
      outputs = executeVizierFragment(plan.vizier, results, this.opts.metadata ? { metadata: this.opts.metadata } : {});
    } catch (e) {
      if (e instanceof VizierError) throw e;
      throw createVizierError('NIXIE_ERR_VIZIER_EXECUTE', (e as Error).message);
    }
    let rows = 0;
    for (const out of outputs) {
      const relation = plan.vizier.outputs.find((o) => o.name === out.name)?.plan.relation ?? out.batches[0]?.schema.columns ?? [];
      yield { type: 'table', table: out.name, columns: relation.map((c) => ({ name: c.name, type: c.type, ...(c.semantic ? { semantic: c.semantic } : {}) })) };
      for (const batch of out.batches) {
        if (batch.length === 0) continue;
        rows += batch.length;
        yield { type: 'batch', table: out.name, batch };
      }
    }
    yield { type: 'end', queryId, rows, ms: performance.now() - started, warnings };
  }

  /** Runs a request and collects every output table (for in-process callers such as scheduled scripts). */
  async collect(req: QueryRequest, signal?: AbortSignal): Promise<{ outputs: QueryResult[]; warnings: { agent: string; error: string }[] }> {
    const outputs = new Map<string, RowBatch[]>();
    let warnings: { agent: string; error: string }[] = [];
    for await (const e of this.run(req, signal)) {
      if (e.type === 'table') outputs.set(e.table, []);
      else if (e.type === 'batch') outputs.get(e.table)?.push(e.batch);
      else if (e.type === 'end') warnings = [...e.warnings];
    }
    return { outputs: [...outputs].map(([name, batches]) => ({ name, batches })), warnings };
  }

  /** Collects one agent's answer; rejects (with the reason) when it fails, times out or leaves. */
  private async queryAgent(agent: AgentInfo, plan: DistributedPlan, payload: Uint8Array, signal?: AbortSignal): Promise<{ result: AgentResult; rows: number; ms: number }> {
    const t0 = performance.now();
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(new ReplyStreamError('cancelled', 'query cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    // An agent that leaves or expires mid-query will not answer: stop waiting for it at once.
    const off = this.opts.registry.onChange((e) => {
      if ((e.type === 'left' || e.type === 'expired' || e.type === 'reregistered') && e.agent.id === agent.id) {
        const why = e.type === 'reregistered' ? 'restarted' : e.type === 'left' ? 'left' : 'expired (no heartbeat)';
        ac.abort(new ReplyStreamError('left', `agent ${why} during the query`));
      }
    });
    const byId = new Map<number, RowBatch[]>(plan.agent.nodes.map((n) => [n.id, []]));
    let rows = 0;
    try {
      for await (const ev of requestStream(this.opts.bus, SUBJECTS.query(agent.id), payload, {
        ackTimeoutMs: this.ackTimeoutMs,
        timeoutMs: this.queryTimeoutMs,
        signal: ac.signal,
      })) {
        if (ev.kind !== 'batch') continue;
        const batch = decodeBatch(ev.bytes);
        rows += batch.length;
        byId.get(Number(ev.name))?.push(batch);
      }
    } finally {
      off();
      signal?.removeEventListener('abort', onAbort);
    }
    return { result: [...byId].map(([id, batches]) => ({ id, batches })), rows, ms: performance.now() - t0 };
  }
}

/** Names of the tables the agent fragments scan. */
export function sourceTables(plan: DistributedPlan): string[] {
  const out = new Set<string>();
  const visit = (n: PlanNode): void => {
    if (n.op === 'source') out.add(n.table);
    if ('input' in n) visit(n.input);
    if (n.op === 'join') {
      visit(n.left);
      visit(n.right);
    }
    if (n.op === 'union') n.inputs.forEach(visit);
  };
  for (const f of plan.agent.nodes) visit(f.plan);
  return [...out].sort();
}

function describeAgentError(e: unknown): string {
  if (e instanceof ReplyStreamError) {
    switch (e.reason) {
      case 'no-ack':
        return `did not answer (${e.message})`;
      case 'timeout':
        return `query ${e.message}`;
      case 'gap':
        return `lost part of its answer (${e.message})`;
      default:
        return e.message;
    }
  }
  return (e as Error).message ?? String(e);
}
