/** Options under `plugins: { '@nixie/exporter-elasticsearch': {...} }` in nixie.yaml. */
export interface EsOptions {
  /** Elasticsearch URL(s), e.g. http://127.0.0.1:9200. Empty: the exporter is off. */
  node: string | string[];
  username: string;
  password: string;
  api_key: string;
  /** Accept a server certificate no CA vouches for (test clusters). */
  insecure: boolean;
  /** Tables whose rows become documents. */
  tables: string[];
  /** Index names are `<prefix>-<table>-<yyyy.mm.dd>` (UTC day of the row's time_). */
  index_prefix: string;
  /** Install an index template per table, with mappings derived from the table schema. */
  index_template: boolean;
  /** Documents held while Elasticsearch is slow or away; beyond this, new ones are dropped and counted. */
  max_queue_size: number;
  /** Documents per bulk request. */
  bulk_size: number;
  flush_interval_ms: number;
  request_timeout_ms: number;
  retry_min_ms: number;
  retry_max_ms: number;
  max_concurrent_requests: number;
}

/** Tables exported by default: the traced requests. */
export const DEFAULT_TABLES = Object.freeze(['http_events', 'mysql_events', 'pgsql_events', 'redis_events', 'dns_events']);

/** JSON schema of EsOptions; ajv fills the defaults. */
export const OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    node: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], default: '' },
    username: { type: 'string', default: '' },
    password: { type: 'string', default: '' },
    api_key: { type: 'string', default: '' },
    insecure: { type: 'boolean', default: false },
    tables: { type: 'array', items: { type: 'string' }, default: [...DEFAULT_TABLES] },
    index_prefix: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', default: 'nixie' },
    index_template: { type: 'boolean', default: true },
    max_queue_size: { type: 'integer', minimum: 1, default: 50000 },
    bulk_size: { type: 'integer', minimum: 1, default: 1000 },
    flush_interval_ms: { type: 'integer', minimum: 1, default: 1000 },
    request_timeout_ms: { type: 'integer', minimum: 1, default: 30000 },
    retry_min_ms: { type: 'integer', minimum: 1, default: 500 },
    retry_max_ms: { type: 'integer', minimum: 1, default: 30000 },
    max_concurrent_requests: { type: 'integer', minimum: 1, default: 2 },
  },
} as const;

/** Options with every default filled, for code that builds an exporter without the plugin host. */
export function defaultOptions(overrides: Partial<EsOptions> = {}): EsOptions {
  return {
    node: '',
    username: '',
    password: '',
    api_key: '',
    insecure: false,
    tables: [...DEFAULT_TABLES],
    index_prefix: 'nixie',
    index_template: true,
    max_queue_size: 50000,
    bulk_size: 1000,
    flush_interval_ms: 1000,
    request_timeout_ms: 30000,
    retry_min_ms: 500,
    retry_max_ms: 30000,
    max_concurrent_requests: 2,
    ...overrides,
  };
}
