import { ConnTracker } from './conn-tracker.js';

/**
 * Live trackers by connection id. Keyed by generation (the boot-clock ns at which BPF first saw the
 * connection, unique in practice) with a chain for collisions, so a lookup builds no string key.
 */
export class ConnTable {
  private readonly byGen = new Map<number, ConnTracker>();
  private count = 0;
  private last: ConnTracker | undefined;

  get size(): number {
    return this.count;
  }

  /** The tracker for this id, or undefined. */
  get(pid: number, startTimeNs: number, fd: number, generation: number): ConnTracker | undefined {
    const l = this.last;
    if (l && l.generation === generation && l.pid === pid && l.fd === fd && l.startTimeNs === startTimeNs) return l;
    for (let t = this.byGen.get(generation); t; t = t.next) {
      if (t.pid === pid && t.fd === fd && t.startTimeNs === startTimeNs) {
        this.last = t;
        return t;
      }
    }
    return undefined;
  }

  /** The tracker for this id, created if new; `created` tells which. */
  getOrCreate(pid: number, startTimeNs: number, fd: number, generation: number): ConnTracker {
    const t = this.get(pid, startTimeNs, fd, generation);
    if (t) return t;
    const n = new ConnTracker(pid, startTimeNs, fd, generation);
    n.next = this.byGen.get(generation);
    this.byGen.set(generation, n);
    this.count++;
    this.last = n;
    return n;
  }

  /** Forgets a tracker. */
  delete(t: ConnTracker): void {
    if (this.last === t) this.last = undefined;
    const head = this.byGen.get(t.generation);
    if (head === t) {
      if (t.next) this.byGen.set(t.generation, t.next);
      else this.byGen.delete(t.generation);
      this.count--;
      return;
    }
    for (let p = head; p; p = p.next) {
      if (p.next === t) {
        p.next = t.next;
        this.count--;
        return;
      }
    }
  }

  /** Every live tracker (a snapshot: safe to delete while iterating). */
  all(): ConnTracker[] {
    const out: ConnTracker[] = [];
    for (const head of this.byGen.values()) for (let t: ConnTracker | undefined = head; t; t = t.next) out.push(t);
    return out;
  }
}
