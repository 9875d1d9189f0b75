import type { Bus, BusHandler, BusMessage, BusSubscription } from './bus.js';

interface Sub {
  readonly tokens: readonly string[];
  readonly handler: BusHandler;
  active: boolean;
}

/** Whether a NATS-style pattern (`*` one token, `>` the rest) matches a subject. */
export function subjectMatches(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '>') return subject.length > i;
    if (i >= subject.length) return false;
    if (p !== '*' && p !== subject[i]) return false;
  }
  return pattern.length === subject.length;
}

/**
 * The single-host Bus. Delivery is asynchronous (a microtask per message), as on NATS, so a handler
 * never runs inside the publisher's call stack and code tested here behaves the same over NATS.
 */
export class InProcessBus implements Bus {
  readonly kind = 'in-process';
  readonly maxPayload: number;
  private subs: Sub[] = [];
  private inboxSeq = 0;
  private closed = false;

  constructor(opts: { maxPayload?: number } = {}) {
    // Same default as nats-server, so chunking paths run in single-host mode too.
    this.maxPayload = opts.maxPayload ?? 1024 * 1024;
  }

  publish(subject: string, data: Uint8Array, reply?: string): void {
    if (this.closed) return;
    if (data.length > this.maxPayload) throw new Error(`bus: message of ${data.length} bytes exceeds max payload ${this.maxPayload}`);
    const tokens = subject.split('.');
    const msg: BusMessage = reply === undefined ? { subject, data } : { subject, data, reply };
    for (const s of this.subs) {
      if (!subjectMatches(s.tokens, tokens)) continue;
      queueMicrotask(() => {
        if (s.active) s.handler(msg);
      });
    }
  }

  subscribe(subject: string, handler: BusHandler): BusSubscription {
    const sub: Sub = { tokens: subject.split('.'), handler, active: true };
    this.subs.push(sub);
    return {
      unsubscribe: () => {
        sub.active = false;
        this.subs = this.subs.filter((s) => s !== sub);
      },
    };
  }

  newInbox(): string {
    return `_INBOX.local.${++this.inboxSeq}`;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.subs) s.active = false;
    this.subs = [];
  }
}
