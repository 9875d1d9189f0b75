import { sortF64 } from './sort.js';

/**
 * A merging t-digest (Dunning): values are buffered, then sorted and merged into centroids whose
 * size is bounded by the k1 scale function, so that quantiles near 0 and 1 stay precise.
 * Serializes to text for partial aggregation over the bus.
 */
export class TDigest {
  private means: Float64Array;
  private weights: Float64Array;
  private size = 0;
  private buf: Float64Array;
  private bufLen = 0;
  private total = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(private readonly compression = 100) {
    this.means = new Float64Array(0);
    this.weights = new Float64Array(0);
    this.buf = new Float64Array(16);
  }

  get count(): number {
    return this.total + this.bufLen;
  }

  add(x: number): void {
    if (this.bufLen === this.buf.length) {
      // The buffer grows to 8 Ki values, so small groups stay small.
      if (this.buf.length < 8192) {
        const b = new Float64Array(this.buf.length * 4);
        b.set(this.buf);
        this.buf = b;
      } else this.compress();
    }
    this.buf[this.bufLen++] = x;
  }

  /** Folds the buffer into the centroids. */
  compress(): void {
    if (this.bufLen === 0) return;
    sortF64(this.buf, 0, this.bufLen);
    const vals = this.buf;
    const n = this.size + this.bufLen;
    const m = new Float64Array(n);
    const w = new Float64Array(n);
    // Merge the sorted buffer (weight 1 each) with the sorted centroids.
    let i = 0;
    let j = 0;
    for (let k = 0; k < n; k++) {
      if (j >= this.bufLen || (i < this.size && this.means[i]! <= vals[j]!)) {
        m[k] = this.means[i]!;
        w[k] = this.weights[i++]!;
      } else {
        m[k] = vals[j++]!;
        w[k] = 1;
      }
    }
    if (vals[0]! < this.min) this.min = vals[0]!;
    if (vals[this.bufLen - 1]! > this.max) this.max = vals[this.bufLen - 1]!;
    this.total += this.bufLen;
    this.bufLen = 0;
    this.mergeSorted(m, w, n);
  }

  private mergeSorted(m: Float64Array, w: Float64Array, n: number): void {
    const total = this.total;
    const outM = new Float64Array(Math.min(n, Math.ceil(this.compression * 2) + 8));
    const outW = new Float64Array(outM.length);
    let k = 0;
    let cm = m[0]!;
    let cw = w[0]!;
    let soFar = 0;
    const norm = this.compression / (2 * Math.PI);
    // k1 scale: a centroid may grow while k(q) stays within 1 of k at its start. Inverting k once per
    // centroid gives the weight limit, so the loop needs no asin per value.
    const limitFor = (q0: number): number => {
      const k = norm * Math.asin(2 * Math.min(1, q0) - 1) + 1;
      return k / norm >= Math.PI / 2 ? Infinity : ((Math.sin(k / norm) + 1) / 2) * total;
    };
    let wLimit = limitFor(0);
    for (let i = 1; i < n; i++) {
      if (soFar + cw + w[i]! <= wLimit && k < outM.length - 1) {
        cw += w[i]!;
        cm += ((m[i]! - cm) * w[i]!) / cw;
      } else {
        outM[k] = cm;
        outW[k++] = cw;
        soFar += cw;
        wLimit = limitFor(soFar / total);
        cm = m[i]!;
        cw = w[i]!;
      }
    }
    outM[k] = cm;
    outW[k++] = cw;
    this.means = outM.subarray(0, k);
    this.weights = outW.subarray(0, k);
    this.size = k;
  }

  /** Adds another digest's centroids. */
  merge(o: TDigest): void {
    o.compress();
    this.compress();
    if (o.size === 0) return;
    const n = this.size + o.size;
    const m = new Float64Array(n);
    const w = new Float64Array(n);
    let i = 0;
    let j = 0;
    for (let k = 0; k < n; k++) {
      if (j >= o.size || (i < this.size && this.means[i]! <= o.means[j]!)) {
        m[k] = this.means[i]!;
        w[k] = this.weights[i++]!;
      } else {
        m[k] = o.means[j]!;
        w[k] = o.weights[j++]!;
      }
    }
    this.total += o.total;
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
    this.mergeSorted(m, w, n);
  }

  /** The q-quantile (0..1), interpolated between centroids. */
  quantile(q: number): number {
    this.compress();
    if (this.size === 0) return 0;
    if (this.size === 1) return this.means[0]!;
    const target = q * this.total;
    if (target <= this.weights[0]! / 2) return this.min + ((this.means[0]! - this.min) * target) / (this.weights[0]! / 2);
    let cum = 0;
    for (let i = 0; i < this.size - 1; i++) {
      const mid = cum + this.weights[i]! / 2;
      const next = cum + this.weights[i]! + this.weights[i + 1]! / 2;
      if (target <= next) {
        const t = (target - mid) / (next - mid);
        return this.means[i]! + t * (this.means[i + 1]! - this.means[i]!);
      }
      cum += this.weights[i]!;
    }
    const last = this.size - 1;
    const mid = this.total - this.weights[last]! / 2;
    const t = Math.min(1, (target - mid) / (this.weights[last]! / 2));
    return this.means[last]! + t * (this.max - this.means[last]!);
  }

  /** Text form: "min max mean:weight mean:weight ...". */
  serialize(): string {
    this.compress();
    const parts = [String(this.min), String(this.max)];
    for (let i = 0; i < this.size; i++) parts.push(`${this.means[i]}:${this.weights[i]}`);
    return parts.join(' ');
  }

  /** Parses serialize()'s form. */
  static deserialize(s: string, compression = 100): TDigest {
    const d = new TDigest(compression);
    const parts = s.split(' ');
    if (parts.length < 3) return d;
    const n = parts.length - 2;
    d.means = new Float64Array(n);
    d.weights = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const [m, w] = parts[i + 2]!.split(':');
      d.means[i] = Number(m);
      d.weights[i] = Number(w);
      d.total += d.weights[i]!;
    }
    d.size = n;
    d.min = Number(parts[0]);
    d.max = Number(parts[1]);
    return d;
  }
}

/** Pixie's quantiles output: JSON with p01, p10, p25, p50, p75, p90, p99. */
export function quantilesJson(d: TDigest): string {
  const q = (x: number): number => d.quantile(x);
  return `{"p01":${q(0.01)},"p10":${q(0.1)},"p25":${q(0.25)},"p50":${q(0.5)},"p75":${q(0.75)},"p90":${q(0.9)},"p99":${q(0.99)}}`;
}
