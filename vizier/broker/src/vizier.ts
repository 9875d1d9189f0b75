import type { NixieConfig, TableStore } from '@nixie/core';
import type { Metadata } from '@nixie/engine';
import { announceAgent, type Announcer } from './announce.js';
import { startApi, type ApiServer } from './api.js';
import { QueryBroker } from './broker.js';
import type { Bus } from './bus.js';
import { InProcessBus } from './bus-memory.js';
import { NatsBus } from './bus-nats.js';
import { AgentRegistry } from './registry.js';
import { serveAgentQueries, type AgentQueryService } from './serve.js';

/** The parts of nixie.yaml vizier reads. */
export type VizierConfig = Pick<NixieConfig, 'vizier' | 'nats'>;

/** The Bus the config asks for: NATS when nats.url is set, else in-process (single host). */
export async function connectBus(config: Pick<NixieConfig, 'nats'>, name = 'nixie'): Promise<Bus> {
  return config.nats.url ? NatsBus.connect({ url: config.nats.url, name }) : new InProcessBus();
}

export interface VizierOptions {
  bus: Bus;
  config: VizierConfig;
  /** Registry timings; Pixie's 60 s expiry by default. */
  expiryMs?: number;
  ackTimeoutMs?: number;
  metadata?: Metadata;
  scriptsDir?: string;
  /** Also serve the HTTP API on config.vizier.listen (default true). */
  api?: boolean;
  /** Overrides config.vizier.listen (tests pass 127.0.0.1:0). */
  listen?: string;
}

export interface Vizier {
  readonly registry: AgentRegistry;
  readonly broker: QueryBroker;
  /** The HTTP API, when started. */
  readonly api?: ApiServer;
  stop(): Promise<void>;
}

/** Starts vizier on a Bus: the agent registry, the query broker and (by default) the HTTP API. */
export async function startVizier(opts: VizierOptions): Promise<Vizier> {
  const registry = new AgentRegistry(opts.bus, opts.expiryMs !== undefined ? { expiryMs: opts.expiryMs } : {});
  registry.start();
  const broker = new QueryBroker({
    bus: opts.bus,
    registry,
    queryTimeoutMs: opts.config.vizier.query_timeout_ms,
    ...(opts.ackTimeoutMs !== undefined ? { ackTimeoutMs: opts.ackTimeoutMs } : {}),
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
    ...(opts.scriptsDir ? { scriptsDir: opts.scriptsDir } : {}),
  });
  let api: ApiServer | undefined;
  if (opts.api !== false) {
    try {
      api = await startApi({ broker, registry, listen: opts.listen ?? opts.config.vizier.listen, ...(opts.scriptsDir ? { scriptsDir: opts.scriptsDir } : {}) });
    } catch (e) {
      registry.stop();
      throw e;
    }
  }
  return {
    registry,
    broker,
    ...(api ? { api } : {}),
    stop: async () => {
      await api?.close();
      registry.stop();
    },
  };
}

export interface AttachAgentOptions {
  /** Stable agent id (config agent.id; the host name when empty). */
  id?: string;
  host?: string;
  heartbeatMs?: number;
  metadata?: Metadata;
  batchRows?: number;
}

export interface AttachedAgent {
  readonly id: string;
  readonly announcer: Announcer;
  readonly service: AgentQueryService;
  /** Stops serving and tells vizier the agent left. */
  stop(): Promise<void>;
}

/**
 * Everything an agent needs to join vizier over a Bus: register + heartbeat with the store's
 * schemas, and answer queries over the store. The agent (or `nixie up`) calls this once.
 */
export function attachAgent(bus: Bus, store: TableStore, opts: AttachAgentOptions = {}): AttachedAgent {
  const announcer = announceAgent(bus, {
    schemas: () => store.schemas(),
    ...(opts.id ? { id: opts.id } : {}),
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}),
  });
  const service = serveAgentQueries(bus, announcer.id, store, {
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
    ...(opts.batchRows ? { batchRows: opts.batchRows } : {}),
  });
  return {
    id: announcer.id,
    announcer,
    service,
    stop: async () => {
      service.stop();
      await announcer.stop();
    },
  };
}

export interface LocalVizierOptions {
  /** Validated config: vizier.listen for the API, nats.url to use NATS instead of the in-process bus. */
  config: Pick<NixieConfig, 'vizier' | 'nats'>;
  /** The local agent's table store and id. */
  store: TableStore;
  agentId: string;
  metadata?: Metadata;
  /** Overrides config.vizier.listen. */
  listen?: string;
}

export interface LocalVizier {
  readonly bus: Bus;
  readonly vizier: Vizier;
  readonly agent: AttachedAgent;
  /** The API's URL. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The vizier + API half of `nixie up`: a Bus from the config (in-process unless nats.url is set),
 * vizier with its API, and the local agent's store attached to it. The caller starts the agent itself.
 */
export async function startLocalVizier(opts: LocalVizierOptions): Promise<LocalVizier> {
  const bus = await connectBus(opts.config, `nixie-up-${opts.agentId}`);
  let vizier: Vizier;
  try {
    vizier = await startVizier({ bus, config: opts.config, ...(opts.metadata ? { metadata: opts.metadata } : {}), ...(opts.listen ? { listen: opts.listen } : {}) });
  } catch (e) {
    await bus.close();
    throw e;
  }
  const agent = attachAgent(bus, opts.store, { id: opts.agentId, ...(opts.metadata ? { metadata: opts.metadata } : {}) });
  return {
    bus,
    vizier,
    agent,
    url: vizier.api!.url,
    stop: async () => {
      await agent.stop();
      await vizier.stop();
      await bus.close();
    },
  };
}
