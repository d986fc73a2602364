/** Index range `[first, end)` of a sorted time vector. */
export interface SampleRange {
  first: number;
  end: number;
}

/** First index whose time is >= t (times are non-decreasing). */
function lowerBound(time: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = time.length;
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

/** First index whose time is > t. */
function upperBound(time: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * The points inside `[from, to]` plus one point beyond each edge, so a plotted line reaches the
 * panel borders instead of stopping at the last point inside.
 */
export function clipRange(time: ArrayLike<number>, from?: number, to?: number): SampleRange {
  const first = from === undefined ? 0 : Math.max(0, lowerBound(time, from) - 1);
  const end = to === undefined ? time.length : Math.min(time.length, upperBound(time, to) + 1);
  return { first, end: Math.max(first, end) };
}
