import type { Command } from 'commander';
import { NixieApiError, NixieClient } from '@nixie/client';
import { printTable } from './plugins.js';
import { vizierUrlOf } from './vizier-url.js';

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

export function registerGet(program: Command): void {
  const get = program.command('get').description('Show cluster state from vizier');
  get
    .command('agents')
    .description('List the agents vizier knows: state, host, tables, last heartbeat')
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--vizier <url>', "vizier's API (default: http://<vizier.listen> from the config)")
    .action(async (opts: { output: string }, cmd: Command) => {
      let agents;
      try {
        agents = await new NixieClient({ url: vizierUrlOf(cmd) }).agents();
      } catch (e) {
        if (e instanceof NixieApiError) throw new Error(`${e.message} [${e.code}]`, { cause: e });
        throw e;
      }
      if (opts.output === 'json') {
        for (const a of agents) process.stdout.write(JSON.stringify(a) + '\n');
        return;
      }
      printTable(
        ['ID', 'STATE', 'HOST', 'PID', 'TABLES', 'LAST HEARTBEAT', 'UPTIME', 'RESTARTS'],
        agents.map((a) => [a.id, a.state, a.host, String(a.pid), String(a.tables.length), `${ago(a.lastHeartbeat)} ago`, ago(a.startedAt), String(a.restarts)]),
      );
    });
}
