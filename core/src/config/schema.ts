/**
 * The schema of nixie.yaml: every tunable in one place. Defaults here are the defaults Nixie runs
 * with. Keys are snake_case; `NIXIE_<PATH>` (path segments upper-cased, joined by `_`) overrides.
 * Sections other issues own (vizier, cloud, exporters, scheduled scripts) extend this object.
 */
const int = (def: number, minimum = 0, description?: string) => ({ type: 'integer', minimum, default: def, description });
const bool = (def: boolean, description?: string) => ({ type: 'boolean', default: def, description });
const str = (def: string, description?: string) => ({ type: 'string', default: def, description });

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    data_dir: str('', 'Where Nixie keeps state and installed plugins; default /var/lib/nixie as root, else ~/.nixie'),
    log_level: { enum: ['debug', 'info', 'warn', 'error', 'silent'], default: 'info' },
    agent: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        id: str('', 'Agent id; default the host name'),
        ring_buffer_bytes: int(16 * 1024 * 1024, 4096, 'BPF ring buffer size (power of two)'),
        max_data_bytes: int(30 * 1024, 64, 'Largest data event; larger writes are chunked (Pixie: 30 KiB)'),
        body_limit_bytes: int(512, 0, 'Request/response bodies are cut at this size'),
        headers_limit_bytes: int(8192, 0, 'Header JSON is cut at this size'),
        stream_buffer_bytes: int(1024 * 1024, 1024, 'Most bytes buffered per connection direction'),
        tracker_idle_seconds: int(300, 1, 'A connection with no traffic for this long is forgotten'),
        conn_stats_period_seconds: int(10, 1),
        role_policy: {
          enum: ['auto', 'server', 'client', 'both'],
          default: 'auto',
          description: "auto: server side, and client side when the peer is not on this host (Pixie's rule)",
        },
        bpf_hooks: {
          enum: ['auto', 'fexit', 'raw_tracepoint', 'tracepoint'],
          default: 'auto',
          description:
            'How the socket syscalls are hooked: auto: the first that loads of fexit (BPF trampolines: only the hooked syscalls pay), raw_tracepoint (x86_64: one sys_exit raw tracepoint program dispatching on the syscall number) and tracepoint (syscalls:sys_exit_*); both tracepoint kinds slow every syscall on the host, tracepoint more',
        },
        sched_policy: {
          enum: ['batch', 'other'],
          default: 'batch',
          description:
            "CPU scheduling of the agent's thread: batch (SCHED_BATCH) never preempts the traced services when it wakes to drain, yet keeps its fair share of CPU (nothing is dropped under load); other: the default policy",
        },
        pid_filter: { type: 'array', items: { type: 'integer', minimum: 1 }, default: [], description: 'Trace only these pids (tests)' },
        protocols: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            http: bool(true),
            http2: bool(true),
            mysql: bool(true),
            pgsql: bool(true),
            redis: bool(true),
            dns: bool(true),
          },
        },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        budget_bytes: int(1024 * 1024 * 1024, 1024 * 1024, 'Bytes for all tables together'),
        tables: {
          type: 'object',
          default: {},
          additionalProperties: { type: 'number', exclusiveMinimum: 0 },
          description: 'Per-table budget: a fraction of budget_bytes (<= 1) or bytes (> 1)',
        },
      },
    },
    vizier: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        listen: str('127.0.0.1:50300', 'host:port of the query API'),
        query_timeout_ms: int(30000, 1),
      },
    },
    nats: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { url: str('', 'NATS server for multi-host mode, e.g. nats://127.0.0.1:4222; empty: in-process bus') },
    },
    metadata: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        services: {
          type: 'object',
          default: {},
          additionalProperties: { type: 'string' },
          description: 'Service name by executable name',
        },
      },
    },
    scheduled_scripts: {
      type: 'array',
      default: [],
      description: 'PxL scripts run every period_seconds, with px.plugin.start_time/end_time as the window since the last run',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'script'],
        properties: {
          name: { type: 'string', minLength: 1, description: 'Unique name, for logs and health' },
          script: { type: 'string', minLength: 1, description: 'PxL source, a .pxl file, or a bundle name such as px/http_data' },
          period_seconds: int(60, 1, 'How often it runs; each run covers the time since the previous one'),
          enabled: bool(true),
        },
      },
    },
    plugins: {
      type: 'object',
      default: {},
      additionalProperties: { anyOf: [{ type: 'boolean' }, { type: 'object' }] },
      description: 'Plugin packages by npm name: true, false (turn a built-in off) or an options object',
    },
  },
} as const;
