import { STAGE, type NixiePlugin, type PluginHost } from '@nixie/core';
import { OtlpExporter } from './exporter.js';
import { OPTIONS_SCHEMA, type OtlpOptions } from './options.js';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/exporter-otlp';

const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: { name: PLUGIN_NAME, core: '^0.1.0', optionsSchema: OPTIONS_SCHEMA },
  apply(host: PluginHost): void {
    const opts = host.pluginOptions<OtlpOptions>(PLUGIN_NAME);
    // Off unless configured: without an endpoint there is nothing to send to.
    if (!opts.endpoint) {
      host.log.debug(`${PLUGIN_NAME}: no endpoint configured; not exporting`);
      return;
    }
    const exporter = new OtlpExporter(opts, { log: host.log });
    const wanted = new Set(exporter.tables);
    host.hooks.registerExporters.tap(PLUGIN_NAME, (registry) => registry.add(exporter));
    host.hooks.onRecords.tap({ name: PLUGIN_NAME, stage: STAGE.EXPORT }, (event) => {
      if (wanted.has(event.table)) exporter.export(event.table, event.batch);
    });
    host.hooks.beforeStart.tapPromise(PLUGIN_NAME, () => exporter.start());
    host.hooks.beforeStop.tapPromise(PLUGIN_NAME, () => exporter.shutdown());
  },
};

export default plugin;
export { OtlpExporter, type OtlpExporterDeps, type OtlpExporterStats } from './exporter.js';
export { OPTIONS_SCHEMA, REQUEST_TABLES, defaultOptions, type OtlpOptions } from './options.js';
export { ServiceResolver } from './service.js';
export { RowSpan, hrTime } from './row-span.js';
export { normalizeRoute, createMappers, type RequestInfo, type RequestMapper } from './request-mapper.js';
export { MetricsAggregator } from './metrics.js';
export { createTraceSender, createMetricSender, endpointUrl, type SignalSender } from './transport.js';
export { exportPxlResult, type PxlExportCounts, type ExportPxlOptions } from './pxl/export-pxl.js';
export { OtlpGrpcClient, type OtlpGrpcClientOptions } from './pxl/otlp-grpc-client.js';
export { ScriptScheduler, type ScheduledScript, type ScriptWindow, type RunPxl, type ScriptSchedulerOptions, type ScriptRunEvent, type ScriptStats } from './pxl/scheduler.js';
export type { OtelExportSpec, OtelDataSpec, OtelGaugeSpec, OtelSummarySpec, OtelSpanSpec, OtelEndpointSpec, OtelValue, PxlOutput } from './pxl/spec.js';
