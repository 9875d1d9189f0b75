import { Client } from '@elastic/elasticsearch';

/** The official client's constructor options. */
export type ClientOptions = ConstructorParameters<typeof Client>[0];
import { BatchQueue, createLogger, TABLES, type Exporter, type ExporterStats, type Logger, type RowBatch, type SendResult, type TableSchema } from '@nixie/core';
import { indexName, indexTemplate, timeColumn, toDocument, type EsDocument } from './documents.js';
import type { EsOptions } from './options.js';

export interface EsExporterDeps {
  /** A client to use (tests pass one on @elastic/elasticsearch-mock's connection). */
  client?: Client;
  log?: Logger;
  /** Schemas of tables core does not know (plugin tables), for their templates. */
  schemas?: ReadonlyMap<string, TableSchema>;
}

/** Figures beyond ExporterStats. */
export interface EsExporterStats extends ExporterStats {
  /** Documents Elasticsearch refused for good (e.g. mapping errors); included in dropped. */
  rejected: number;
  bulkRequests: number;
  templatesInstalled: number;
}

/** Per-item statuses worth sending again: throttled or the cluster briefly unable. */
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Options for the official client from the exporter's options. */
export function clientOptions(opts: EsOptions): ClientOptions {
  const auth = opts.api_key ? { apiKey: opts.api_key } : opts.username ? { username: opts.username, password: opts.password } : undefined;
  return {
    node: opts.node,
    auth,
    requestTimeout: opts.request_timeout_ms,
    // Retries are the queue's: it keeps order, backs off, and counts.
    maxRetries: 0,
    tls: opts.insecure ? { rejectUnauthorized: false } : undefined,
  };
}

/**
 * Sends rows of chosen tables as documents through the bulk API, into an index per table and day,
 * after installing an index template per table. export() only converts and queues; a bounded queue
 * gives backpressure (drops counted), failed bulks and throttled items are sent again after a backoff.
 */
export class EsExporter implements Exporter {
  readonly name = '@nixie/exporter-elasticsearch';
  readonly tables: readonly string[];
  private readonly client: Client;
  private readonly queue: BatchQueue<EsDocument>;
  private readonly log: Logger;
  private readonly pendingTemplates: Set<string>;
  private readonly schemas: ReadonlyMap<string, TableSchema>;
  private templatesInstalled = 0;
  private bulkRequests = 0;
  private lastError = '';
  private stopped = false;

  constructor(
    private readonly opts: EsOptions,
    deps: EsExporterDeps = {},
  ) {
    this.tables = [...opts.tables];
    this.log = deps.log ?? createLogger('info');
    this.client = deps.client ?? new Client(clientOptions(opts));
    this.schemas = deps.schemas ?? TABLES;
    this.pendingTemplates = new Set(opts.index_template ? opts.tables : []);
    this.queue = new BatchQueue<EsDocument>({
      maxQueueSize: opts.max_queue_size,
      maxBatchSize: opts.bulk_size,
      delayMs: opts.flush_interval_ms,
      retryMinMs: opts.retry_min_ms,
      retryMaxMs: opts.retry_max_ms,
      maxConcurrent: opts.max_concurrent_requests,
      send: (docs) => this.sendBulk(docs),
    });
  }

  async start(): Promise<void> {
    // Templates first; if Elasticsearch is away now, the first bulk tries again.
    await this.installTemplates();
  }

  /** Converts rows to documents and queues them; never blocks, never throws. */
  export(table: string, batch: RowBatch): void {
    if (this.stopped) {
      this.queue.countDropped(batch.length);
      return;
    }
    const times = timeColumn(batch);
    const now = Date.now() * 1e6;
    for (let i = 0; i < batch.length; i++) {
      this.queue.offer({ index: indexName(this.opts.index_prefix, table, times ? times[i]! : now), doc: toDocument(batch, i) });
    }
  }

  async forceFlush(): Promise<void> {
    await this.queue.flush(this.opts.request_timeout_ms * 3);
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.queue.shutdown(this.opts.request_timeout_ms);
    await this.client.close().catch(() => undefined);
  }

  stats(): EsExporterStats {
    return { ...this.queue.stats(), bulkRequests: this.bulkRequests, templatesInstalled: this.templatesInstalled };
  }

  /** Puts the index template of every table still without one; true when none is left. */
  private async installTemplates(): Promise<boolean> {
    for (const table of [...this.pendingTemplates]) {
      const schema = this.schemas.get(table);
      if (!schema) {
        this.log.warn(`${this.name}: no schema for table ${table}; its indices get Elasticsearch's dynamic mappings`);
        this.pendingTemplates.delete(table);
        continue;
      }
      try {
        await this.client.indices.putIndexTemplate(indexTemplate(this.opts.index_prefix, schema));
        this.pendingTemplates.delete(table);
        this.templatesInstalled++;
      } catch (e) {
        this.noteError(`index template for ${table}`, e);
        return false;
      }
    }
    return true;
  }

  private async sendBulk(docs: EsDocument[]): Promise<SendResult<EsDocument>> {
    if (this.pendingTemplates.size > 0 && !(await this.installTemplates())) return false;
    const operations: unknown[] = [];
    for (const d of docs) operations.push({ index: { _index: d.index } }, d.doc);
    this.bulkRequests++;
    let resp;
    try {
      resp = await this.client.bulk({ operations });
    } catch (e) {
      this.noteError('bulk', e);
      // A whole request refused for its content will be refused again: count it, do not retry.
      // By status, not instanceof: the client's CommonJS and ESM builds have distinct error classes.
      const status = (e as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500 && !RETRY_STATUS.has(status)) {
        return { retry: [], rejected: docs.length };
      }
      return false;
    }
    if (!resp.errors) {
      this.lastError = '';
      return true;
    }
    const retry: EsDocument[] = [];
    let rejected = 0;
    resp.items.forEach((item, k) => {
      const r = item.index ?? item.create ?? Object.values(item)[0];
      if (!r || !r.error) return;
      if (RETRY_STATUS.has(r.status)) retry.push(docs[k]!);
      else {
        rejected++;
        this.noteError('document', new Error(`${r.error.type}: ${r.error.reason ?? ''}`));
      }
    });
    return { retry, rejected };
  }

  /** Logs a failure once until it changes, so an absent cluster does not flood the log. */
  private noteError(what: string, e: unknown): void {
    const msg = `${what}: ${e instanceof Error ? e.message : String(e)}`;
    if (msg === this.lastError) return;
    this.lastError = msg;
    this.log.warn(`${this.name}: ${msg} (counted; retrying where it can)`);
  }
}
