import type { Command } from 'commander';
import { createAgent, type Agent } from '@nixie/agent';
import { createLogger, TABLES, type NixieConfig } from '@nixie/core';
import { startLocalVizier, type QueryBroker } from '@nixie/vizier';
import { loadCliConfig } from '../config.js';
import { startScheduledScripts } from '../scheduled.js';
import { untilSignal } from '../signals.js';

/** One part of `nixie up`: started in list order, stopped in reverse. */
interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface UpContext {
  config: NixieConfig;
  agent: Agent;
  say(line: string): void;
  /** Set by the vizier component for those after it. */
  broker?: QueryBroker;
}

/** The agent: BPF socket tracer, decoders, table store. */
function agentComponent(ctx: UpContext): Component {
  return {
    name: 'agent',
    start: async () => {
      await ctx.agent.start();
      const tables = [...new Set([...TABLES.keys(), ...ctx.agent.store.schemas().map((s) => s.name)])];
      ctx.say(`agent ${ctx.agent.id}: BPF attached; plugins ${ctx.agent.host.pluginNames().join(', ') || '(none)'}`);
      ctx.say(`tables: ${tables.join(', ')}`);
    },
    stop: () => ctx.agent.stop(),
  };
}

/** Vizier and its API over the local agent's store (in-process bus unless nats.url is set). */
function vizierComponent(ctx: UpContext): Component {
  let stop: (() => Promise<void>) | undefined;
  return {
    name: 'vizier',
    start: async () => {
      const v = await startLocalVizier({ config: ctx.config, store: ctx.agent.store, agentId: ctx.agent.id });
      stop = v.stop;
      ctx.broker = v.vizier.broker;
      ctx.say(`vizier: API at ${v.url}`);
    },
    stop: async () => stop?.(),
  };
}

/** Scheduled export scripts (nixie.yaml `scheduled_scripts`), run through vizier's broker. */
function schedulerComponent(ctx: UpContext): Component {
  let scheduler: { stop(): Promise<void> } | undefined;
  return {
    name: 'scheduled scripts',
    start: async () => {
      scheduler = await startScheduledScripts(ctx.config, ctx.broker!, createLogger(ctx.config.log_level, 'scheduler'));
      if (scheduler) ctx.say(`scheduled scripts: ${ctx.config.scheduled_scripts.map((s) => s.name).join(', ')}`);
    },
    stop: async () => scheduler?.stop(),
  };
}

/** Every component of `nixie up`, in start order. A new component adds one line here. */
const COMPONENTS: ReadonlyArray<(ctx: UpContext) => Component> = [agentComponent, vizierComponent, schedulerComponent];

export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'Run Nixie on this host: the agent (BPF socket tracer, decoders, table store), vizier and its API, in one process. ' +
        'Needs root and a kernel with BTF. Ctrl-C stops it and detaches every BPF program.',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, path } = loadCliConfig(cmd);
      const say = (line: string) => process.stdout.write(`nixie up: ${line}\n`);
      say(`config ${path ?? '(defaults)'}`);
      const agent = await createAgent({ config, log: createLogger(config.log_level, 'agent') });
      const ctx: UpContext = { config, agent, say };
      const started: Component[] = [];
      const stopAll = async () => {
        for (const c of started.splice(0).reverse()) {
          try {
            await c.stop();
          } catch (e) {
            process.stderr.write(`nixie up: stopping ${c.name} failed: ${(e as Error).message}\n`);
          }
        }
      };
      try {
        for (const make of COMPONENTS) {
          const c = make(ctx);
          await c.start();
          started.push(c);
        }
      } catch (e) {
        await stopAll();
        throw e;
      }
      say('running; Ctrl-C to stop');
      say(`${await untilSignal()}: stopping`);
      await stopAll();
      say('stopped; BPF programs detached');
    });
}
