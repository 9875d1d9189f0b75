import type { Command } from 'commander';
import { loadConfig } from '@nixie/core';
import { configPathOf } from '../config.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('Work with nixie.yaml');
  config
    .command('validate [path]')
    .description('Check a config file against the schema; prints the effective config with -v')
    .option('-v, --verbose', 'print the effective config (defaults filled in) as JSON')
    .action((path: string | undefined, opts: { verbose?: boolean }, cmd: Command) => {
      const file = path ?? configPathOf(cmd);
      const loaded = loadConfig(file, process.env);
      process.stdout.write(`${file ?? '(no config file: defaults)'}: valid\n`);
      if (loaded.applied.length) process.stdout.write(`environment overrides: ${loaded.applied.join(', ')}\n`);
      if (opts.verbose) process.stdout.write(JSON.stringify(loaded.config, null, 2) + '\n');
    });
}
