/** Protocol ids, shared with the BPF side (numbers follow Pixie's traffic_protocol_t). */
export const PROTOCOL = Object.freeze({
  unknown: 0,
  http: 1,
  http2: 2,
  mysql: 3,
  cql: 4,
  pgsql: 5,
  dns: 6,
  redis: 7,
  nats: 8,
  mongo: 9,
  kafka: 10,
  mux: 11,
  amqp: 12,
} as const);
export type ProtocolName = keyof typeof PROTOCOL;

/** Protocol name for an id, or 'unknown'. */
export function protocolName(id: number): ProtocolName {
  for (const [k, v] of Object.entries(PROTOCOL)) if (v === id) return k as ProtocolName;
  return 'unknown';
}

/** Trace role, as Pixie's trace_role column holds it. */
export const TraceRole = Object.freeze({ UNKNOWN: 0, CLIENT: 1, SERVER: 2 } as const);
export type TraceRole = (typeof TraceRole)[keyof typeof TraceRole];
