import type { Command } from 'commander';
import { registerConfig } from './config.js';
import { registerPlugins } from './plugins.js';
import { registerUp } from './up.js';
import { registerRun } from './run.js';
import { registerScripts } from './scripts.js';
import { registerGet } from './get.js';
import { registerVizier } from './vizier.js';
import { registerAgent } from './agent.js';

/** Every command's register function; a new command adds one line here and one file beside it. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerUp, registerConfig, registerPlugins, registerRun, registerScripts, registerGet, registerVizier, registerAgent];
