import type { Command } from 'commander';
import { listBundles } from '@nixie/engine';
import { printTable } from './plugins.js';

export function registerScripts(program: Command): void {
  const scripts = program.command('scripts').description('Bundled PxL scripts (px/...)');
  scripts
    .command('list')
    .description('List the bundled scripts with their short descriptions')
    .option('-o, --output <format>', 'table or json', 'table')
    .action((opts: { output: string }) => {
      const list = listBundles();
      if (opts.output === 'json') {
        for (const s of list) process.stdout.write(JSON.stringify(s) + '\n');
        return;
      }
      printTable(
        ['NAME', 'DESCRIPTION'],
        list.map((s) => [s.name, s.short]),
      );
    });
}
