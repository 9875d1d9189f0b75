import type { TableSchema } from '@nixie/core';
import type { Bus, BusSubscription } from './bus.js';
import { SUBJECTS } from './subjects.js';
import { fromBytes, toBytes, type AgentAnnouncement, type AgentInfo } from './wire.js';

export interface RegistryOptions {
  /** An agent with no heartbeat for this long is expired (Pixie: 60 s). */
  expiryMs?: number;
  /** How often to look for expired agents; expiryMs/10 by default, at most 1 s. */
  sweepMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export type RegistryEvent =
  | { type: 'registered'; agent: AgentInfo }
  | { type: 'reregistered'; agent: AgentInfo; previousInstance: string }
  | { type: 'expired'; agent: AgentInfo }
  | { type: 'left'; agent: AgentInfo };

interface Entry {
  info: AgentInfo;
  schemas: readonly TableSchema[];
}

/**
 * Vizier's view of the agents: who is live, with which tables. Agents announce themselves on
 * nixie.agent.register and keep themselves alive with heartbeats that carry the same announcement,
 * so a vizier that restarts relearns every agent within one heartbeat (sooner: it says hello).
 */
export class AgentRegistry {
  private readonly agents = new Map<string, Entry>();
  private readonly listeners = new Set<(e: RegistryEvent) => void>();
  private subs: BusSubscription[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private readonly expiryMs: number;
  private readonly sweepMs: number;
  private readonly now: () => number;

  constructor(
    private readonly bus: Bus,
    opts: RegistryOptions = {},
  ) {
    this.expiryMs = opts.expiryMs ?? 60_000;
    this.sweepMs = opts.sweepMs ?? Math.min(1000, Math.max(10, Math.floor(this.expiryMs / 10)));
    this.now = opts.now ?? Date.now;
  }

  /** Subscribes to agent subjects and asks every agent to announce itself. */
  start(): void {
    if (this.subs.length) return;
    const onAnnounce = (data: Uint8Array, reply?: string): void => {
      const a = fromBytes<AgentAnnouncement>(data);
      if (!a || typeof a.id !== 'string' || typeof a.instance !== 'string' || !Array.isArray(a.schemas)) return;
      this.announce(a);
      if (reply) this.bus.publish(reply, toBytes({ ok: true }));
    };
    this.subs.push(this.bus.subscribe(SUBJECTS.register, (m) => onAnnounce(m.data, m.reply)));
    this.subs.push(this.bus.subscribe(SUBJECTS.heartbeat, (m) => onAnnounce(m.data, m.reply)));
    this.subs.push(
      this.bus.subscribe(SUBJECTS.unregister, (m) => {
        const a = fromBytes<{ id: string; instance: string }>(m.data);
        const e = a && this.agents.get(a.id);
        if (!e || e.info.instance !== a.instance) return;
        this.agents.delete(a.id);
        this.emit({ type: 'left', agent: { ...e.info, state: 'expired' } });
      }),
    );
    this.sweeper = setInterval(() => this.sweep(), this.sweepMs);
    this.sweeper.unref();
    this.bus.publish(SUBJECTS.vizierHello, toBytes({ at: this.now() }));
  }

  /** Unsubscribes and stops the expiry sweep. */
  stop(): void {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Records an announcement (register or heartbeat). */
  announce(a: AgentAnnouncement): void {
    const now = this.now();
    const old = this.agents.get(a.id);
    const tables = a.schemas.map((s) => s.name);
    if (old && old.info.instance === a.instance && old.info.state === 'live') {
      old.info = { ...old.info, lastHeartbeat: now, tables };
      old.schemas = a.schemas;
      return;
    }
    const restarted = old !== undefined && old.info.instance !== a.instance;
    const info: AgentInfo = {
      id: a.id,
      instance: a.instance,
      host: a.host,
      pid: a.pid,
      state: 'live',
      tables,
      registeredAt: now,
      lastHeartbeat: now,
      startedAt: a.startedAt,
      restarts: (old?.info.restarts ?? 0) + (restarted ? 1 : 0),
    };
    this.agents.set(a.id, { info, schemas: a.schemas });
    if (restarted) this.emit({ type: 'reregistered', agent: info, previousInstance: old.info.instance });
    else this.emit({ type: 'registered', agent: info });
  }

  /** Expires agents whose last heartbeat is older than expiryMs; runs on a timer, callable from tests. */
  sweep(): void {
    const now = this.now();
    for (const e of this.agents.values()) {
      if (e.info.state === 'live' && now - e.info.lastHeartbeat > this.expiryMs) {
        e.info = { ...e.info, state: 'expired' };
        this.emit({ type: 'expired', agent: e.info });
      }
    }
  }

  /** Every known agent, live first, then by id. */
  list(): AgentInfo[] {
    return [...this.agents.values()]
      .map((e) => e.info)
      .sort((a, b) => (a.state === b.state ? a.id.localeCompare(b.id) : a.state === 'live' ? -1 : 1));
  }

  /** Live agents, by id. */
  live(): AgentInfo[] {
    return this.list().filter((a) => a.state === 'live');
  }

  /** Whether this agent id is live with this instance. */
  isLive(id: string, instance?: string): boolean {
    const e = this.agents.get(id);
    return e !== undefined && e.info.state === 'live' && (instance === undefined || e.info.instance === instance);
  }

  /** Schemas of every table some live agent has; the first agent's schema wins for a shared name. */
  schemas(): Map<string, TableSchema> {
    const out = new Map<string, TableSchema>();
    for (const e of this.agents.values()) {
      if (e.info.state !== 'live') continue;
      for (const s of e.schemas) if (!out.has(s.name)) out.set(s.name, s);
    }
    return out;
  }

  /** Calls the listener on every registry change; returns the function that removes it. */
  onChange(listener: (e: RegistryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: RegistryEvent): void {
    for (const l of this.listeners) l(e);
  }
}
