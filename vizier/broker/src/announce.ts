import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { TableSchema } from '@nixie/core';
import type { Bus, BusSubscription } from './bus.js';
import { SUBJECTS } from './subjects.js';
import { toBytes, type AgentAnnouncement } from './wire.js';

export interface AnnounceOptions {
  /** Stable agent id (config agent.id); the host name by default. */
  id?: string;
  host?: string;
  /** Current tables; called on every heartbeat, so tables added later are announced. */
  schemas: () => readonly TableSchema[];
  /** Heartbeat period (Pixie: 5 s). */
  heartbeatMs?: number;
}

export interface Announcer {
  readonly id: string;
  /** This start's instance id; a restart under the same id gets a new one. */
  readonly instance: string;
  /** Sends one heartbeat now. */
  heartbeat(): void;
  /** Stops heartbeats and tells vizier this agent is leaving. */
  stop(): Promise<void>;
}

/**
 * The agent's side of the registry: registers, heartbeats with its schemas, and registers again when
 * a vizier says hello (a vizier that restarted knows nobody).
 */
export function announceAgent(bus: Bus, opts: AnnounceOptions): Announcer {
  const id = opts.id ?? hostname();
  const instance = randomUUID();
  const startedAt = Date.now();
  const heartbeatMs = opts.heartbeatMs ?? 5000;
  const host = opts.host ?? hostname();
  const message = (): Uint8Array => {
    const a: AgentAnnouncement = { id, instance, host, pid: process.pid, schemas: opts.schemas(), startedAt, heartbeatMs };
    return toBytes(a);
  };
  bus.publish(SUBJECTS.register, message());
  const hello: BusSubscription = bus.subscribe(SUBJECTS.vizierHello, () => bus.publish(SUBJECTS.register, message()));
  const timer = setInterval(() => bus.publish(SUBJECTS.heartbeat, message()), heartbeatMs);
  timer.unref();
  let stopped = false;
  return {
    id,
    instance,
    heartbeat: () => bus.publish(SUBJECTS.heartbeat, message()),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      hello.unsubscribe();
      bus.publish(SUBJECTS.unregister, toBytes({ id, instance }));
      await bus.flush();
    },
  };
}
