import type { Command } from 'commander';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Run Nixie on this host: agent, vizier and API in one process')
    .action(() => {
      process.stderr.write('nixie up: the agent is not built yet (issue "Agent: socket tracer pipeline"); nothing to run.\n');
      process.exitCode = 1;
    });
}
