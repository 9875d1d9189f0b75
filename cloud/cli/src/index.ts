export { buildProgram, main } from './main.js';
export { configPathOf, loadCliConfig } from './config.js';
export { printTable } from './commands/plugins.js';
