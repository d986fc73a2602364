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

/** First index in `[0, length)` for which `before(index)` is false (`before` must be monotonic). */
async function partitionPoint(length: number, before: (index: number) => Promise<boolean>): Promise<number> {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (await before(mid)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * clipRange over a time vector that is not in memory: `timeAt` reads one time value, and the two
 * binary searches need about 2·log2(length) of them.
 */
export async function clipRangeAt(length: number, timeAt: (index: number) => Promise<number>, from?: number, to?: number): Promise<SampleRange> {
  const first = from === undefined ? 0 : Math.max(0, (await partitionPoint(length, async (i) => (await timeAt(i)) < from)) - 1);
  const end = to === undefined ? length : Math.min(length, (await partitionPoint(length, async (i) => (await timeAt(i)) <= to)) + 1);
  return { first, end: Math.max(first, end) };
}
