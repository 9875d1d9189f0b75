import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { batchToObjects, type UInt128 } from '@nixie/core';
import type { QueryBroker, QueryEvent, QueryRequest } from '../src/broker.js';

export type Row = Record<string, string | number | boolean | UInt128>;

/** Every event of a query, plus its tables as objects. */
export async function runQuery(broker: QueryBroker, req: QueryRequest): Promise<{ events: QueryEvent[]; tables: Map<string, Row[]> }> {
  const events: QueryEvent[] = [];
  const tables = new Map<string, Row[]>();
  for await (const e of broker.run(req)) {
    events.push(e);
    if (e.type === 'table') tables.set(e.table, []);
    if (e.type === 'batch') tables.get(e.table)!.push(...batchToObjects(e.batch));
  }
  return { events, tables };
}

/** Polls until cond() holds; fails with `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly id: string;
  readonly messages: { type: string; instance?: string }[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Forks test/agent-proc.js with its own data; resolves once it has registered. */
export async function forkAgent(env: Record<string, string>): Promise<AgentProcess> {
  const entry = fileURLToPath(new URL('./agent-proc.js', import.meta.url));
  const child = fork(entry, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: { type: string; instance?: string }[] = [];
  child.on('message', (m) => messages.push(m as { type: string }));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await Promise.race([
    until(() => messages.some((m) => m.type === 'ready'), `agent ${env.AGENT_ID} to start`, 15_000),
    exited.then(() => {
      throw new Error(`agent ${env.AGENT_ID} exited at start (code ${child.exitCode})`);
    }),
  ]);
  return {
    child,
    id: env.AGENT_ID!,
    messages,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
