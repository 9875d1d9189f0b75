import { existsSync, statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { NixieApiError, NixieClient, type RunRequest } from '@nixie/client';
import { loadBundle } from '@nixie/engine';
import { OUTPUT_FORMATS, ResultPrinter, type OutputFormat } from './result-format.js';
import { vizierUrlOf } from './vizier-url.js';

/** `--name value` and `--name=value` pairs after `--`, as script arguments. */
export function parseScriptArgs(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    if (!a.startsWith('--') || a.length < 3) throw new Error(`script arguments are --name value pairs; got "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
      continue;
    }
    const v = list[i + 1];
    if (v === undefined) throw new Error(`script argument ${a} has no value`);
    out[a.slice(2)] = v;
    i++;
  }
  return out;
}

/** What to send for a script reference: a local .pxl file or bundle dir as source, else a bundle name vizier resolves. */
export function requestFor(ref: string, args: Record<string, string>, func?: string): RunRequest {
  const local = existsSync(ref) && (statSync(ref).isDirectory() || ref.endsWith('.pxl'));
  const base = { args, ...(func ? { func } : {}) };
  if (!local) return { bundle: ref, ...base };
  const b = loadBundle(ref);
  return { script: b.pxl, ...(b.vis ? { vis: b.vis } : {}), ...base };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Run a PxL script on every agent and print the results: a bundled script (px/http_data), a bundle directory, or a .pxl file. ' +
        'Script arguments follow --, e.g. `nixie run px/http_data -o json -- --start_time -10m`.',
    )
    .argument('<script>', 'bundled script name, bundle directory, or .pxl file')
    .argument('[args...]', 'script arguments after --: --name value')
    .addOption(new Option('-o, --output <format>', 'output format: table, json (one object per row, with _table), csv').choices([...OUTPUT_FORMATS]).default('table'))
    .option('-f, --func <name>', 'run this function of the script (arguments after --)')
    .option('--vizier <url>', "vizier's API (default: http://<vizier.listen> from the config)")
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (script: string, rest: string[], opts: { output: OutputFormat; func?: string; quiet?: boolean }, cmd: Command) => {
      const req = requestFor(script, parseScriptArgs(rest), opts.func);
      const client = new NixieClient({ url: vizierUrlOf(cmd) });
      const printer = new ResultPrinter(opts.output, (s) => process.stdout.write(s));
      const progress = !opts.quiet && process.stderr.isTTY;
      let agents = 0;
      let answered = 0;
      try {
        for await (const ev of client.run(req)) {
          if (ev.type === 'started') {
            agents = ev.agents.length;
            if (progress) process.stderr.write(`\rquerying ${agents} agent(s)...`);
          } else if (ev.type === 'agent') {
            answered++;
            if (progress) process.stderr.write(`\r${answered}/${agents} agent(s) answered`);
          } else if (ev.type === 'warning') {
            process.stderr.write(`${progress ? '\n' : ''}nixie: warning: agent ${ev.agent}: ${ev.error} (results are partial)\n`);
          } else if (ev.type === 'end') {
            if (progress) process.stderr.write(`\r${ev.rows} row(s) from ${answered - ev.warnings.length}/${agents} agent(s) in ${Math.round(ev.ms)} ms\n`);
          }
          printer.onEvent(ev);
        }
      } catch (e) {
        if (progress) process.stderr.write('\n');
        if (e instanceof NixieApiError) throw new Error(`${e.message} [${e.code}]`, { cause: e });
        throw e;
      } finally {
        printer.finish();
      }
    });
}
