import { sliceRange, type RowBatch, type TableStore } from '@nixie/core';
import { encodeBatch, executeAgentFragment, type AgentFragment, type Metadata } from '@nixie/engine';
import type { Bus, BusSubscription } from './bus.js';
import { ReplyWriter } from './stream.js';
import { SUBJECTS } from './subjects.js';
import { fromBytes, type AgentQueryRequest } from './wire.js';

export interface ServeOptions {
  /** Resolves upids and pods for ctx[...] (the engine's HostMetadata by default). */
  metadata?: Metadata;
  /** Rows per message batch unless the request says otherwise. */
  batchRows?: number;
}

export interface AgentQueryService {
  /** Queries answered since start (including failed ones). */
  readonly served: number;
  stop(): void;
}

/** Splits a batch into views of at most `rows` rows, so that results stream in bounded messages. */
export function sliceBatch(batch: RowBatch, rows: number): RowBatch[] {
  if (batch.length <= rows) return [batch];
  const out: RowBatch[] = [];
  for (let from = 0; from < batch.length; from += rows) {
    const to = Math.min(batch.length, from + rows);
    out.push({ schema: batch.schema, length: to - from, columns: batch.columns.map((c) => sliceRange(c, from, to)) });
  }
  return out;
}

/**
 * The agent's query endpoint: answers nixie.query.<agentId> by running the plan fragments over the
 * local table store and streaming each fragment's batches back (ACK first, so vizier can tell a
 * dead agent from a slow query). A failing query is reported to vizier, never thrown.
 */
export function serveAgentQueries(bus: Bus, agentId: string, store: TableStore, opts: ServeOptions = {}): AgentQueryService {
  let served = 0;
  const sub: BusSubscription = bus.subscribe(SUBJECTS.query(agentId), (msg) => {
    if (!msg.reply) return;
    served++;
    const w = new ReplyWriter(bus, msg.reply);
    const req = fromBytes<AgentQueryRequest>(msg.data);
    if (!req || !Array.isArray(req.fragments)) {
      w.error('NIXIE_ERR_VIZIER_BAD_REQUEST', `agent ${agentId}: malformed query request`);
      return;
    }
    w.ack({ agent: agentId, queryId: req.queryId });
    // Run after the ACK has gone out: the fragment is synchronous and may take a while.
    setImmediate(() => {
      const started = performance.now();
      try {
        const fragment: AgentFragment = { nodes: req.fragments as AgentFragment['nodes'] };
        const result = executeAgentFragment(fragment, store, { agentId, ...(opts.metadata ? { metadata: opts.metadata } : {}) });
        const batchRows = Math.max(1, req.batchRows ?? opts.batchRows ?? 65536);
        let rows = 0;
        for (const r of result) {
          for (const b of r.batches) {
            for (const part of sliceBatch(b, batchRows)) {
              if (part.length === 0) continue;
              w.batch(String(r.id), encodeBatch(part));
              rows += part.length;
            }
          }
        }
        w.end({ agent: agentId, rows, ms: performance.now() - started });
      } catch (e) {
        const err = e as { code?: unknown; message?: unknown };
        w.error(typeof err.code === 'string' ? err.code : 'NIXIE_ERR_VIZIER_EXECUTE', `agent ${agentId}: ${String(err.message ?? e)}`);
      }
    });
  });
  return {
    get served() {
      return served;
    },
    stop: () => sub.unsubscribe(),
  };
}
