/**
 * M4 downsampling (Jugel et al., VLDB 2014): per bucket of the time axis keep the first, last,
 * minimum and maximum point. A line drawn through them at one bucket per pixel column is the
 * same as the line through all points.
 *
 * Returns the indices to keep, ascending. `maxPoints` bounds the result, so the number of buckets
 * is maxPoints / 4. When the input has no more than `maxPoints` points, every index is kept.
 */
export function m4Indices(time: ArrayLike<number>, values: ArrayLike<number>, maxPoints: number): Uint32Array {
  const n = time.length;
  if (n <= maxPoints) {
    return Uint32Array.from({ length: n }, (_, i) => i);
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const t0 = time[0];
  const span = time[n - 1] - t0;
  const keep = new Uint8Array(n);
  let bucketStart = 0;
  while (bucketStart < n) {
    const bucket = bucketOf(time[bucketStart], t0, span, buckets);
    let bucketEnd = bucketStart + 1;
    let min = bucketStart;
    let max = bucketStart;
    while (bucketEnd < n && bucketOf(time[bucketEnd], t0, span, buckets) === bucket) {
      const v = values[bucketEnd];
      if (v < values[min] || Number.isNaN(values[min])) {
        min = bucketEnd;
      }
      if (v > values[max] || Number.isNaN(values[max])) {
        max = bucketEnd;
      }
      bucketEnd++;
    }
    keep[bucketStart] = 1;
    keep[bucketEnd - 1] = 1;
    keep[min] = 1;
    keep[max] = 1;
    bucketStart = bucketEnd;
  }
  let count = 0;
  for (let i = 0; i < n; i++) {
    count += keep[i];
  }
  const indices = new Uint32Array(count);
  for (let i = 0, k = 0; i < n; i++) {
    if (keep[i]) {
      indices[k++] = i;
    }
  }
  return indices;
}

function bucketOf(t: number, t0: number, span: number, buckets: number): number {
  if (!(span > 0)) {
    return 0;
  }
  return Math.min(buckets - 1, Math.floor(((t - t0) / span) * buckets));
}
