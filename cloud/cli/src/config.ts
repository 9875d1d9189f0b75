import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultConfigPath, loadConfig, type LoadedConfig } from '@nixie/core';

/** The config file a command should use: --config, $NIXIE_CONFIG, or ./nixie.yaml if present. */
export function configPathOf(cmd: Command): string | undefined {
  const opts = cmd.optsWithGlobals<{ config?: string }>();
  return defaultConfigPath(opts.config, process.env, existsSync);
}

/** Loads and validates the config for a command (throws a coded error naming the bad key). */
export function loadCliConfig(cmd: Command): LoadedConfig {
  return loadConfig(configPathOf(cmd), process.env);
}
