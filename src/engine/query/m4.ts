/**
 * M4 downsampling (Jugel et al., VLDB 2014): per bucket of the time axis keep the first, last,
 * minimum and maximum point. A line drawn through them at one bucket per pixel column is the
 * same as the line through all points.
 *
 * Returns the indices to keep, ascending. `maxPoints` bounds the result, so the number of buckets
 * is maxPoints / 4. When the input has no more than `maxPoints` points, every index is kept.
 */
export function m4Indices(time: ArrayLike<number>, values: ArrayLike<number>, maxPoints: number): Uint32Array {
  const ends = m4BucketEnds(time, maxPoints);
  return ends ? m4IndicesIn(values, ends) : Uint32Array.from({ length: time.length }, (_, i) => i);
}

/**
 * Where each non-empty bucket of m4Indices ends (exclusive, ascending; the last is the length), or
 * undefined when every point is kept. The buckets depend on the time axis only: series that share
 * one (the variables of one read) share them, and the binary searches are done once, not per series.
 */
export function m4BucketEnds(time: ArrayLike<number>, maxPoints: number): Uint32Array | undefined {
  const n = time.length;
  if (n <= maxPoints) {
    return undefined;
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const t0 = time[0];
  const span = time[n - 1] - t0;
  const ends = new Uint32Array(buckets);
  let count = 0;
  let start = 0;
  for (let b = 0; b < buckets && start < n; b++) {
    // Boundaries come from a binary search on time, so the scan in m4IndicesIn is plain comparisons.
    const end = b === buckets - 1 || !(span > 0) ? n : firstAtOrAfter(time, t0 + ((b + 1) * span) / buckets, start);
    if (end > start) {
      ends[count++] = end;
      start = end;
    }
  }
  return ends.subarray(0, count);
}

/** m4Indices of `values` in the buckets m4BucketEnds gave for their time axis (a view: the gather that follows is its only reader). */
export function m4IndicesIn(values: ArrayLike<number>, ends: Uint32Array): Uint32Array {
  const out = new Uint32Array(ends.length * 4);
  let count = 0;
  let start = 0;
  for (let b = 0; b < ends.length; b++) {
    const end = ends[b];
    count = pushBucket(values, start, end, out, count);
    start = end;
  }
  return out.subarray(0, count);
}

/** First index in `[from, end)` whose time is >= t (`end` when none is); time must not decrease. */
export function firstAtOrAfter(time: ArrayLike<number>, t: number, from: number, end = time.length): number {
  let lo = from;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** Appends first, min, max and last of `[start, end)` in index order, without repeats. NaN never wins. */
function pushBucket(values: ArrayLike<number>, start: number, end: number, out: Uint32Array, count: number): number {
  let min = -1;
  let max = -1;
  let minValue = Infinity;
  let maxValue = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v < minValue) {
      minValue = v;
      min = i;
    }
    if (v > maxValue) {
      maxValue = v;
      max = i;
    }
  }
  // A bucket of only ±Infinity (or NaN) values: the loop above cannot pick those.
  if (min === -1) {
    min = firstWhere(values, start, end, (v) => v === Infinity);
  }
  if (max === -1) {
    max = firstWhere(values, start, end, (v) => v === -Infinity);
  }
  return pushSorted(out, count, start, min, max, end - 1);
}

function firstWhere(values: ArrayLike<number>, start: number, end: number, test: (v: number) => boolean): number {
  for (let i = start; i < end; i++) {
    if (test(values[i])) {
      return i;
    }
  }
  return -1;
}

/**
 * Writes the valid indices (>= 0) in ascending order, skipping repeats. A sorting network on four
 * locals: this runs once per bucket of every series, and a temporary array here was a visible
 * share of the garbage a query makes.
 */
function pushSorted(out: Uint32Array, count: number, a: number, b: number, c: number, d: number): number {
  let t: number;
  if (a > b) {
    t = a;
    a = b;
    b = t;
  }
  if (c > d) {
    t = c;
    c = d;
    d = t;
  }
  if (a > c) {
    t = a;
    a = c;
    c = t;
  }
  if (b > d) {
    t = b;
    b = d;
    d = t;
  }
  if (b > c) {
    t = b;
    b = c;
    c = t;
  }
  // Sorted, so repeats are neighbours and invalid (-1) entries come first.
  if (a >= 0) {
    out[count++] = a;
  }
  if (b >= 0 && b !== a) {
    out[count++] = b;
  }
  if (c >= 0 && c !== b) {
    out[count++] = c;
  }
  if (d >= 0 && d !== c) {
    out[count++] = d;
  }
  return count;
}
