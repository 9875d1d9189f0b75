import { ConnTracker } from './conn-tracker.js';

/**
 * Live trackers by connection id. Keyed by the low 30 bits of the generation (the boot-clock ns at which BPF
 * first saw the connection: its low bits differ between connections) with a chain for collisions, so a
 * lookup builds no string key, and hashes a small integer rather than a boxed double (~2.6% of http-replay).
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
    for (let t = this.byGen.get(genKey(generation)); t; t = t.next) {
      if (t.generation === generation && t.pid === pid && t.fd === fd && t.startTimeNs === startTimeNs) {
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
    const k = genKey(generation);
    n.next = this.byGen.get(k);
    this.byGen.set(k, n);
    this.count++;
    this.last = n;
    return n;
  }

  /** Forgets a tracker. */
  delete(t: ConnTracker): void {
    if (this.last === t) this.last = undefined;
    const k = genKey(t.generation);
    const head = this.byGen.get(k);
    if (head === t) {
      if (t.next) this.byGen.set(k, t.next);
      else this.byGen.delete(k);
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

/** A generation's low 30 bits (ToInt32 keeps an integer's low 32 bits): a small integer on every platform. */
function genKey(generation: number): number {
  return generation & 0x3fff_ffff;
}
