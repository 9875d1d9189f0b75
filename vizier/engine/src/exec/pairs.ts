/** Dense ids for (a, b) pairs of non-negative int32s: open addressing over typed arrays. */
export class PairTable {
  private ka = new Int32Array(1024);
  private kb = new Int32Array(1024);
  private ids = new Int32Array(1024).fill(-1);
  size = 0;

  /** The id of (a, b), assigned in order of first appearance. */
  id(a: number, b: number): number {
    const mask = this.ids.length - 1;
    let s = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & mask;
    for (;;) {
      const id = this.ids[s]!;
      if (id < 0) break;
      if (this.ka[s] === a && this.kb[s] === b) return id;
      s = (s + 1) & mask;
    }
    const id = this.size++;
    this.ka[s] = a;
    this.kb[s] = b;
    this.ids[s] = id;
    if (this.size * 2 > this.ids.length) this.grow();
    return id;
  }

  private grow(): void {
    const { ka, kb, ids } = this;
    const n = ids.length * 2;
    this.ka = new Int32Array(n);
    this.kb = new Int32Array(n);
    this.ids = new Int32Array(n).fill(-1);
    const mask = n - 1;
    for (let s = 0; s < ids.length; s++) {
      if (ids[s]! < 0) continue;
      let t = (Math.imul(ka[s]!, 0x9e3779b1) ^ Math.imul(kb[s]!, 0x85ebca6b)) & mask;
      while (this.ids[t]! >= 0) t = (t + 1) & mask;
      this.ka[t] = ka[s]!;
      this.kb[t] = kb[s]!;
      this.ids[t] = ids[s]!;
    }
  }
}
