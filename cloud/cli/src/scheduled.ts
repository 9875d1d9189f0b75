import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dataDir, pluginsDir, resolvePlugin, type Logger, type NixieConfig, type RowBatch } from '@nixie/core';
import type { QueryBroker, QueryRequest } from '@nixie/vizier';

/** The package whose ScriptScheduler runs scheduled px.export scripts. */
export const SCHEDULER_PACKAGE = '@nixie/exporter-otlp';

interface SchedulerLike {
  start(): void;
  stop(): Promise<void>;
}
type SchedulerCtor = new (opts: {
  scripts: NixieConfig['scheduled_scripts'];
  run: (script: string, window: { startNs: number; endNs: number }) => Promise<{ name: string; kind?: 'display' | 'export'; otel?: unknown; batches: RowBatch[] }[]>;
  endpoint?: { url: string; insecure?: boolean; headers?: Record<string, string> };
  log?: Logger;
}) => SchedulerLike;

/**
 * The request for a scheduled script: a bundle name (px/http_data), a bundle folder or .pxl file,
 * or else PxL source written inline in nixie.yaml.
 */
export function scheduledRequest(script: string): Pick<QueryRequest, 'script' | 'bundle'> {
  const inline = script.includes('\n') || /^\s*import\s+px\b/.test(script);
  if (!inline && (/^[\w-]+\/[\w-]+$/.test(script) || existsSync(script))) return { bundle: script };
  return { script };
}

/** Starts the scheduler for `scheduled_scripts` over the broker; undefined when none are configured. */
export async function startScheduledScripts(config: NixieConfig, broker: QueryBroker, log: Logger): Promise<SchedulerLike | undefined> {
  const scripts = config.scheduled_scripts.filter((s) => s.enabled !== false);
  if (scripts.length === 0) return undefined;
  const file = resolvePlugin(SCHEDULER_PACKAGE, pluginsDir(config));
  if (!file) throw new Error(`scheduled_scripts need ${SCHEDULER_PACKAGE}, which is not installed (data dir ${dataDir(config)})`);
  const mod = (await import(pathToFileURL(file).href)) as { ScriptScheduler: SchedulerCtor };
  const otlp = config.plugins[SCHEDULER_PACKAGE];
  const opts = typeof otlp === 'object' ? (otlp as { endpoint?: string; insecure?: boolean; headers?: Record<string, string> }) : {};
  const scheduler = new mod.ScriptScheduler({
    scripts,
    log,
    ...(opts.endpoint ? { endpoint: { url: opts.endpoint, ...(opts.insecure !== undefined ? { insecure: opts.insecure } : {}), ...(opts.headers ? { headers: opts.headers } : {}) } } : {}),
    run: async (script, window) => {
      const req: QueryRequest = { ...scheduledRequest(script), nowNs: window.endNs, pluginWindow: window };
      const compiled = broker.compile(req);
      const { outputs, warnings } = await broker.collect(req);
      for (const w of warnings) log.warn(`scheduled script: agent ${w.agent} did not answer: ${w.error}`);
      return outputs.map((o) => {
        const out = compiled.outputs.find((x) => x.name === o.name);
        return { name: o.name, batches: o.batches, ...(out?.kind ? { kind: out.kind } : {}), ...(out?.otel ? { otel: out.otel } : {}) };
      });
    },
  });
  scheduler.start();
  log.info(`scheduled scripts: ${scripts.map((s) => `${s.name} every ${s.period_seconds}s`).join(', ')}`);
  return scheduler;
}
