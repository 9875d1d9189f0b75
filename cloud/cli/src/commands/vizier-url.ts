import type { Command } from 'commander';
import { loadCliConfig } from '../config.js';

/** The vizier API URL a command talks to: --vizier, else http://<vizier.listen> from the config. */
export function vizierUrlOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals<{ vizier?: string }>();
  if (opts.vizier) return opts.vizier.includes('://') ? opts.vizier : `http://${opts.vizier}`;
  const listen = loadCliConfig(cmd).config.vizier.listen;
  // A wildcard listen address is reachable on loopback.
  return `http://${listen.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '127.0.0.1:')}`;
}
