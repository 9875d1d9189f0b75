import { connect, type NatsConnection, type Subscription } from 'nats';
import type { Bus, BusHandler, BusSubscription } from './bus.js';
import { createVizierError } from './errors.js';

export interface NatsBusOptions {
  /** nats://host:port, or several separated by commas. */
  url: string;
  /** Connection name shown by the server (e.g. "nixie-agent-<id>"). */
  name?: string;
  /** Milliseconds to wait for the first connection. */
  connectTimeoutMs?: number;
}

/** The multi-host Bus over a real nats-server; reconnects forever once connected. */
export class NatsBus implements Bus {
  readonly kind = 'nats';
  private readonly subs = new Set<Subscription>();

  private constructor(private readonly nc: NatsConnection) {}

  /** Connects; a server that is not there is a coded error naming the URL. */
  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    try {
      const nc = await connect({
        servers: opts.url.split(',').map((s) => s.trim()),
        name: opts.name ?? 'nixie',
        timeout: opts.connectTimeoutMs ?? 5000,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
      });
      return new NatsBus(nc);
    } catch (e) {
      throw createVizierError('NIXIE_ERR_VIZIER_BUS_CONNECT', opts.url, (e as Error).message);
    }
  }

  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    if (this.nc.isClosed()) return;
    this.nc.publish(subject, data, reply === undefined ? undefined : { reply });
  }

  subscribe(subject: string, handler: BusHandler): BusSubscription {
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        // nats.js hands out Node Buffers, whose slice() is a view, not a copy: consumers that copy to
        // realign typed arrays (decodeBatch) need a plain Uint8Array. Same memory, no copy here.
        const d = msg.data;
        const data = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        handler(msg.reply ? { subject: msg.subject, data, reply: msg.reply } : { subject: msg.subject, data });
      },
    });
    this.subs.add(sub);
    return {
      unsubscribe: () => {
        this.subs.delete(sub);
        if (!this.nc.isClosed()) sub.unsubscribe();
      },
    };
  }

  newInbox(): string {
    return `_INBOX.${randomToken()}`;
  }

  async flush(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.flush();
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close();
    }
  }
}

function randomToken(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}
