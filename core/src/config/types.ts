/** The validated config, defaults filled in. Mirrors CONFIG_SCHEMA. */
export interface NixieConfig {
  data_dir: string;
  log_level: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  agent: {
    id: string;
    ring_buffer_bytes: number;
    max_data_bytes: number;
    body_limit_bytes: number;
    headers_limit_bytes: number;
    stream_buffer_bytes: number;
    tracker_idle_seconds: number;
    conn_stats_period_seconds: number;
    role_policy: 'auto' | 'server' | 'client' | 'both';
    bpf_hooks: 'auto' | 'fexit' | 'raw_tracepoint' | 'tracepoint';
    sched_policy: 'batch' | 'other';
    pid_filter: number[];
    protocols: Record<'http' | 'http2' | 'mysql' | 'pgsql' | 'redis' | 'dns', boolean>;
  };
  store: { budget_bytes: number; tables: Record<string, number> };
  vizier: { listen: string; query_timeout_ms: number };
  nats: { url: string };
  metadata: { services: Record<string, string> };
  scheduled_scripts: ScheduledScriptConfig[];
  plugins: Record<string, boolean | Record<string, unknown>>;
}

/** One entry of `scheduled_scripts`: a PxL script run every period over the window since its last run. */
export interface ScheduledScriptConfig {
  name: string;
  /** PxL source, a .pxl file path, or a bundle name (px/<name>). */
  script: string;
  period_seconds: number;
  enabled: boolean;
}
