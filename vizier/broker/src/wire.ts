import type { TableSchema } from '@nixie/core';

/** What an agent says about itself on register and on every heartbeat (JSON on the Bus). */
export interface AgentAnnouncement {
  /** Stable across restarts (config agent.id, or the host name). */
  readonly id: string;
  /** New on every start: a different instance under the same id is a restart. */
  readonly instance: string;
  readonly host: string;
  readonly pid: number;
  /** Tables the agent can scan. */
  readonly schemas: readonly TableSchema[];
  /** ms since epoch when this instance started. */
  readonly startedAt: number;
  /** The agent's heartbeat period, so the registry can say when it is late. */
  readonly heartbeatMs: number;
}

/** One agent as the registry knows it (GET /api/v1/agents, `nixie get agents`). */
export interface AgentInfo {
  readonly id: string;
  readonly instance: string;
  readonly host: string;
  readonly pid: number;
  readonly state: 'live' | 'expired';
  readonly tables: readonly string[];
  readonly registeredAt: number;
  readonly lastHeartbeat: number;
  readonly startedAt: number;
  /** Times this id came back with a new instance. */
  readonly restarts: number;
}

/** The body of a nixie.query.<agentId> request (JSON). */
export interface AgentQueryRequest {
  readonly queryId: string;
  /** The agent fragments: plan nodes (plain JSON) keyed by fragment id; see @nixie/engine. */
  readonly fragments: readonly { readonly id: number; readonly plan: unknown }[];
  /** Rows per batch the agent should send; bounds message sizes and lets results stream. */
  readonly batchRows?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** JSON to bytes for the Bus. */
export function toBytes(v: unknown): Uint8Array {
  return enc.encode(JSON.stringify(v));
}

/** Bytes from the Bus to JSON; undefined when they are not JSON (a foreign publisher on our subject). */
export function fromBytes<T>(b: Uint8Array): T | undefined {
  try {
    return JSON.parse(dec.decode(b)) as T;
  } catch {
    return undefined;
  }
}
