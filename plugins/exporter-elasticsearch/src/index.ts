import { STAGE, TABLES, type NixiePlugin, type PluginHost, type TableSchema } from '@nixie/core';
import { EsExporter } from './exporter.js';
import { OPTIONS_SCHEMA, type EsOptions } from './options.js';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/exporter-elasticsearch';

const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: { name: PLUGIN_NAME, core: '^0.1.0', optionsSchema: OPTIONS_SCHEMA },
  apply(host: PluginHost): void {
    const opts = host.pluginOptions<EsOptions>(PLUGIN_NAME);
    // Off unless configured: without a node there is nothing to send to.
    if (!opts.node || (Array.isArray(opts.node) && opts.node.length === 0)) {
      host.log.debug(`${PLUGIN_NAME}: no node configured; not exporting`);
      return;
    }
    const schemas = new Map<string, TableSchema>(TABLES);
    const exporter = new EsExporter(opts, { log: host.log, schemas });
    const wanted = new Set(exporter.tables);
    host.hooks.registerExporters.tap(PLUGIN_NAME, (registry) => registry.add(exporter));
    // Tables plugins declare join core's, for the index templates.
    host.hooks.afterBoot.tapPromise(PLUGIN_NAME, async () => {
      for (const s of host.tables) schemas.set(s.name, s);
    });
    host.hooks.onRecords.tap({ name: PLUGIN_NAME, stage: STAGE.EXPORT }, (event) => {
      if (wanted.has(event.table)) exporter.export(event.table, event.batch);
    });
    host.hooks.beforeStart.tapPromise(PLUGIN_NAME, () => exporter.start());
    host.hooks.beforeStop.tapPromise(PLUGIN_NAME, () => exporter.shutdown());
  },
};

export default plugin;
export { EsExporter, clientOptions, type ClientOptions, type EsExporterDeps, type EsExporterStats } from './exporter.js';
export { OPTIONS_SCHEMA, DEFAULT_TABLES, defaultOptions, type EsOptions } from './options.js';
export { indexName, indexTemplate, fieldMapping, toDocument, isoNanos, timeColumn, type EsDocument } from './documents.js';
