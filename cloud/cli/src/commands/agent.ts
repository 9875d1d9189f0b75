import type { Command } from 'commander';
import { createAgent } from '@nixie/agent';
import { createLogger } from '@nixie/core';
import { attachAgent, NatsBus, VizierError } from '@nixie/vizier';
import { loadCliConfig } from '../config.js';
import { untilSignal } from '../signals.js';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      "Run this host's agent alone (Pixie's PEM) and join a vizier over NATS (nats.url): BPF socket tracer, decoders, metric sources and the table store, " +
        'answering the queries vizier sends. Needs root and a kernel with BTF. On one host use `nixie up`.',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const { config } = loadCliConfig(cmd);
      if (!config.nats.url) throw new Error('nixie agent needs nats.url (e.g. nats://127.0.0.1:4222) in nixie.yaml or NIXIE_NATS_URL, where `nixie vizier` runs');
      const say = (line: string): boolean => process.stdout.write(`nixie agent: ${line}\n`);
      const agent = await createAgent({ config, log: createLogger(config.log_level, 'agent') });
      let bus: NatsBus;
      try {
        bus = await NatsBus.connect({ url: config.nats.url, name: `nixie-agent-${agent.id}` });
      } catch (e) {
        if (e instanceof VizierError) throw new Error(`${e.message} [${e.code}]`, { cause: e });
        throw e;
      }
      try {
        await agent.start();
      } catch (e) {
        await bus.close();
        throw e;
      }
      const attached = attachAgent(bus, agent.store, { id: agent.id });
      say(`agent ${agent.id}: BPF attached; joined NATS ${config.nats.url}; Ctrl-C to stop`);
      await untilSignal();
      await attached.stop();
      await agent.stop();
      await bus.close();
      say('stopped; BPF programs detached');
    });
}
