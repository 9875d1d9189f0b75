/**
 * In-place sort of a Float64Array range [lo, hi): quicksort with median-of-three and insertion sort
 * for short runs. V8's TypedArray#sort is several times slower on doubles.
 */
export function sortF64(a: Float64Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi - 1]!;
    const p = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      while (a[i]! < p) i++;
      while (a[j]! > p) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Recurse into the smaller side, loop on the larger: bounded stack depth.
    if (j - lo < hi - i) {
      sortF64(a, lo, j + 1);
      lo = i;
    } else {
      sortF64(a, i, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}
