import type { Command } from 'commander';
import { BUILTIN_PLUGINS, pluginsDir, resolvePlugin } from '@nixie/core';
import { configPathOf, loadCliConfig } from '../config.js';
import { checkPluginModule, npmInstall, npmUninstall, setPluginInConfig } from '../plugins-store.js';

export function registerPlugins(program: Command): void {
  const plugins = program.command('plugins').description('List, add and remove plugin packages');

  plugins
    .command('list')
    .description('Show built-in and configured plugins and whether each is installed')
    .action((_opts: unknown, cmd: Command) => {
      const { config } = loadCliConfig(cmd);
      const dir = pluginsDir(config);
      const names = new Set([...BUILTIN_PLUGINS, ...Object.keys(config.plugins)]);
      const rows = [...names].map((name) => {
        const setting = config.plugins[name];
        const enabled = setting === undefined ? BUILTIN_PLUGINS.includes(name) : setting !== false;
        const installed = resolvePlugin(name, dir) !== undefined;
        return [name, BUILTIN_PLUGINS.includes(name) ? 'built-in' : 'added', enabled ? 'on' : 'off', installed ? 'installed' : 'missing'];
      });
      printTable(['PLUGIN', 'KIND', 'STATE', 'PACKAGE'], rows);
    });

  plugins
    .command('add <package>')
    .description('Install a plugin package (npm name, name@version or a folder) and enable it in the config file')
    .action(async (spec: string, _opts: unknown, cmd: Command) => {
      const { config } = loadCliConfig(cmd);
      const dir = pluginsDir(config);
      const name = npmInstall(dir, spec);
      const file = resolvePlugin(name, dir);
      try {
        if (!file) throw new Error(`installed ${name} but cannot resolve it from ${dir}`);
        await checkPluginModule(file, name);
      } catch (e) {
        npmUninstall(dir, name);
        throw e;
      }
      const cfg = configPathOf(cmd) ?? 'nixie.yaml';
      setPluginInConfig(cfg, name, true);
      process.stdout.write(`added ${name} (installed in ${dir}, enabled in ${cfg})\n`);
    });

  plugins
    .command('remove <name>')
    .description('Disable a plugin; an added one is also uninstalled')
    .action((name: string, _opts: unknown, cmd: Command) => {
      const { config } = loadCliConfig(cmd);
      const cfg = configPathOf(cmd) ?? 'nixie.yaml';
      if (BUILTIN_PLUGINS.includes(name)) {
        setPluginInConfig(cfg, name, false);
        process.stdout.write(`turned off built-in ${name} in ${cfg}\n`);
        return;
      }
      if (config.plugins[name] === undefined) throw new Error(`no plugin named ${name} in ${cfg}; see nixie plugins list`);
      npmUninstall(pluginsDir(config), name);
      setPluginInConfig(cfg, name, undefined);
      process.stdout.write(`removed ${name}\n`);
    });
}

/** Prints rows as aligned columns. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [header, ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
}
