import type { Command } from 'commander';
import { NatsBus, startVizier, VizierError } from '@nixie/vizier';
import { loadCliConfig } from '../config.js';
import { untilSignal } from '../signals.js';

export function registerVizier(program: Command): void {
  program
    .command('vizier')
    .description(
      'Run vizier alone for several hosts: the agent registry and query broker on NATS (nats.url), and the query API on vizier.listen. ' +
        'Agents on other hosts join over the same NATS server.',
    )
    .option('--listen <host:port>', 'API address (default: vizier.listen from the config)')
    .action(async (opts: { listen?: string }, cmd: Command) => {
      const { config } = loadCliConfig(cmd);
      if (!config.nats.url) throw new Error('nixie vizier needs nats.url (e.g. nats://127.0.0.1:4222) in nixie.yaml or NIXIE_NATS_URL; on one host use `nixie up`');
      const say = (line: string): boolean => process.stdout.write(`nixie vizier: ${line}\n`);
      let bus: NatsBus;
      try {
        bus = await NatsBus.connect({ url: config.nats.url, name: 'nixie-vizier' });
      } catch (e) {
        if (e instanceof VizierError) throw new Error(`${e.message} [${e.code}]`, { cause: e });
        throw e;
      }
      const vizier = await startVizier({ bus, config, ...(opts.listen ? { listen: opts.listen } : {}) }).catch(async (e: unknown) => {
        await bus.close();
        if (e instanceof VizierError) throw new Error(`${e.message} [${e.code}]`, { cause: e });
        throw e;
      });
      const off = vizier.registry.onChange((e) => say(`agent ${e.agent.id} ${e.type} (${e.agent.host})`));
      say(`NATS ${config.nats.url}; API at ${vizier.api!.url}; Ctrl-C to stop`);
      await untilSignal();
      off();
      await vizier.stop();
      await bus.close();
      say('stopped');
    });
}
