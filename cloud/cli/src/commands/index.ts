import type { Command } from 'commander';
import { registerConfig } from './config.js';
import { registerPlugins } from './plugins.js';
import { registerUp } from './up.js';

/** Every command's register function; a new command adds one line here and one file beside it. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerUp, registerConfig, registerPlugins];
