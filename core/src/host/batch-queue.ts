/**
 * What a send reports: true, all delivered; false, nothing delivered, send it all again later;
 * or which items to send again (`retry`) and how many the backend refused for good (`rejected`).
 */
export type SendResult<T> = boolean | { readonly retry: readonly T[]; readonly rejected: number };

/** Sends one batch. Should not reject (a rejection counts as `false`). */
export type SendBatch<T> = (batch: T[]) => Promise<SendResult<T>>;

export interface BatchQueueOptions<T> {
  /** Items held at most; an item offered beyond this is dropped and counted. */
  maxQueueSize: number;
  maxBatchSize: number;
  /** Longest an item waits for its batch to fill. */
  delayMs: number;
  /** Backoff after a failed send: doubles from min to max until a send succeeds. */
  retryMinMs: number;
  retryMaxMs: number;
  maxConcurrent: number;
  send: SendBatch<T>;
}

/** Counters of a BatchQueue. */
export interface BatchQueueStats {
  exported: number;
  /** Items never delivered: offered to a full or stopped queue, or refused by the backend. */
  dropped: number;
  /** Of `dropped`, those the backend refused (e.g. a document that does not fit the mapping). */
  rejected: number;
  /** Failed send attempts (their items stay queued and are sent again). */
  failed: number;
  queued: number;
}

/**
 * A bounded queue for exporters: sends items in batches, keeps a failed batch at the head and sends it again
 * after a backoff, and counts what it had to drop. Items are never lost while they fit in the bound;
 * offering never blocks and never throws.
 */
export class BatchQueue<T> {
  private items: T[] = [];
  private head = 0;
  /** Items taken by sends in flight; they count against the bound until they succeed. */
  private inFlightItems = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private retryAt = 0;
  private readonly counters = { exported: 0, dropped: 0, rejected: 0, failed: 0 };
  private readonly idle: Array<() => void> = [];
  private running = true;
  /** flush() calls waiting: while any, partial batches go out without waiting for the delay. */
  private flushing = 0;

  constructor(private readonly opts: BatchQueueOptions<T>) {}

  /** Number of items waiting or in flight. */
  get size(): number {
    return this.items.length - this.head + this.inFlightItems;
  }

  /** Queues an item, or drops and counts it when the queue is full or stopped. */
  offer(item: T): boolean {
    if (!this.running || this.size >= this.opts.maxQueueSize) {
      this.counters.dropped++;
      return false;
    }
    this.items.push(item);
    this.schedule();
    return true;
  }

  /** Counts items dropped before reaching the queue (e.g. sampled out is not this: a full upstream buffer is). */
  countDropped(n: number): void {
    this.counters.dropped += n;
  }

  stats(): BatchQueueStats {
    // After shutdown, sends still out are already counted as dropped.
    return { ...this.counters, queued: this.running ? this.size : 0 };
  }

  /** Sends everything queued now, ignoring the batch delay (not the retry backoff); resolves when the queue is empty or `timeoutMs` passes. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.size === 0) return;
    const done = new Promise<void>((resolve) => this.idle.push(resolve));
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      t = setTimeout(resolve, timeoutMs);
    });
    this.flushing++;
    try {
      this.pump(true);
      await Promise.race([done, timeout]);
    } finally {
      this.flushing--;
      clearTimeout(t);
    }
  }

  /**
   * Flushes for at most `timeoutMs`, then drops (and counts) what is left and refuses new items. Sends still in
   * flight then are counted as dropped at once, so the counters are final when this resolves; one that gets
   * through afterwards moves its items back to `exported`.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    await this.flush(timeoutMs);
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.counters.dropped += this.items.length - this.head + this.inFlightItems;
    this.items = [];
    this.head = 0;
    this.resolveIdle();
  }

  /** After an offer: send at once when a full batch is ready and a send slot is free, else arm the timer. */
  private schedule(): void {
    const ready = this.items.length - this.head >= this.opts.maxBatchSize;
    if (ready && this.backoffMs === 0 && this.inFlight < this.opts.maxConcurrent) this.pump(false);
    else this.arm();
  }

  /** Arms the timer: the batch delay, or the end of the backoff. */
  private arm(): void {
    if (this.timer || !this.running) return;
    const wait = this.backoffMs > 0 ? Math.max(0, this.retryAt - Date.now()) : this.opts.delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump(true);
    }, wait);
    this.timer.unref();
  }

  /** Starts sends while there is room; `partial` allows a batch smaller than maxBatchSize. */
  private pump(partial: boolean): void {
    if (!this.running) return;
    if (this.backoffMs > 0 && Date.now() < this.retryAt) {
      this.arm();
      return;
    }
    // While backing off, one probe send at a time: no point in hammering a collector that is away.
    const limit = this.backoffMs > 0 ? 1 : this.opts.maxConcurrent;
    while (this.inFlight < limit) {
      const waiting = this.items.length - this.head;
      if (waiting === 0 || (!partial && waiting < this.opts.maxBatchSize)) break;
      const n = Math.min(waiting, this.opts.maxBatchSize);
      const batch = this.items.slice(this.head, this.head + n);
      this.head += n;
      this.compact();
      this.inFlight++;
      this.inFlightItems += n;
      void this.opts.send(batch).then(
        (ok) => this.settle(batch, ok),
        () => this.settle(batch, false),
      );
    }
    if (this.items.length - this.head > 0) this.arm();
  }

  private settle(batch: T[], result: SendResult<T>): void {
    this.inFlight--;
    this.inFlightItems -= batch.length;
    let again: readonly T[];
    let rejected = 0;
    if (result === true) again = [];
    else if (result === false) again = batch;
    else {
      again = result.retry;
      rejected = result.rejected;
      this.counters.rejected += rejected;
    }
    const delivered = batch.length - again.length - rejected;
    this.counters.exported += delivered;
    if (!this.running) {
      // Shutdown counted this batch as dropped: what got through after all was not.
      this.counters.dropped -= delivered;
      if (this.size === 0) this.resolveIdle();
      return;
    }
    this.counters.dropped += rejected;
    const ok = again.length === 0;
    if (ok) {
      this.backoffMs = 0;
    } else {
      this.counters.failed++;
      this.backoffMs = this.backoffMs === 0 ? this.opts.retryMinMs : Math.min(this.opts.retryMaxMs, this.backoffMs * 2);
      this.retryAt = Date.now() + this.backoffMs;
      // Back at the head, in order, so that nothing within the bound is lost.
      this.items = again.concat(this.items.slice(this.head));
      this.head = 0;
    }
    if (this.size === 0) this.resolveIdle();
    else {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (ok) this.pump(this.flushing > 0);
      else this.arm();
    }
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private resolveIdle(): void {
    for (const r of this.idle.splice(0)) r();
  }
}
