import { Command, CommanderError } from 'commander';
import { CORE_VERSION, isNixieError } from '@nixie/core';
import { COMMANDS } from './commands/index.js';

/** Builds the `nixie` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('nixie')
    .description('Nixie: eBPF observability for Linux hosts and Kubernetes')
    .version(CORE_VERSION, '-V, --version', 'print the version')
    .option('-c, --config <path>', 'config file (default: $NIXIE_CONFIG or ./nixie.yaml)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs the CLI; returns the exit code. Errors print as one line, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isNixieError(e)) {
      process.stderr.write(`nixie: ${e.message} [${e.code}]\n`);
      return 1;
    }
    const err = e as Error;
    process.stderr.write(`nixie: ${err.message ?? String(e)}\n`);
    if (process.env.NIXIE_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
}
