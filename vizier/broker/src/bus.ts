/**
 * The Bus: the one transport between agents and vizier. `nixie up` uses the in-process implementation;
 * several hosts use NATS. Both give the same semantics: fire-and-forget publish, subject subscriptions
 * with `*` (one token) and `>` (the rest) wildcards, and a reply subject for request/reply. Chunked,
 * streamed replies are built on top of these three calls (see stream.ts), so both transports share them.
 */
export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Where the sender wants replies, if it does. */
  readonly reply?: string;
}

export type BusHandler = (msg: BusMessage) => void;

export interface BusSubscription {
  /** Stops delivery to this handler. */
  unsubscribe(): void;
}

export interface Bus {
  /** Transport name, for logs and `nixie get agents`: "in-process" or "nats". */
  readonly kind: string;
  /** Largest payload one message may carry; larger results are split into several messages. */
  readonly maxPayload: number;
  /** Sends a message; never throws for lack of subscribers. */
  publish(subject: string, data: Uint8Array, reply?: string): void;
  /** Delivers every message on a subject (wildcards allowed) to the handler, in order. */
  subscribe(subject: string, handler: BusHandler): BusSubscription;
  /** A fresh subject nobody else uses, for replies. */
  newInbox(): string;
  /** Resolves when everything published so far has reached the server (in-process: at once). */
  flush(): Promise<void>;
  /** Drops subscriptions and the connection. */
  close(): Promise<void>;
}
