import fc from 'fast-check';

import { clipRange } from '../decoder/clip';
import { firstAtOrAfter, m4BucketEnds, m4Indices, m4IndicesIn } from './m4';

describe('m4Indices', () => {
  it('keeps every point when there are no more than maxPoints', () => {
    expect(Array.from(m4Indices([0, 1, 2], [5, 6, 7], 3))).toEqual([0, 1, 2]);
  });

  it('keeps first, last, min and max of each bucket and never more than maxPoints', () => {
    const n = 10_000;
    const time = Float64Array.from({ length: n }, (_, i) => i / 10);
    const values = Float64Array.from(time, (t) => Math.sin(t) * t);
    const keep = m4Indices(time, values, 400);
    expect(keep.length).toBeLessThanOrEqual(400);
    expect(keep[0]).toBe(0);
    expect(keep[keep.length - 1]).toBe(n - 1);
    // The global extremes survive, as they are the extremes of their buckets.
    let min = 0;
    let max = 0;
    values.forEach((v, i) => {
      min = v < values[min] ? i : min;
      max = v > values[max] ? i : max;
    });
    expect(Array.from(keep)).toEqual(expect.arrayContaining([min, max]));
  });

  it('does not let NaN hide the extremes', () => {
    const time = Float64Array.from({ length: 100 }, (_, i) => i);
    const values = Float64Array.from(time, (t) => (t === 10 ? NaN : t === 20 ? 1000 : 0));
    expect(Array.from(m4Indices(time, values, 4))).toEqual(expect.arrayContaining([20]));
  });
});

describe('clipRange', () => {
  const time = [0, 1, 2, 2, 3, 4, 5];

  it('keeps one point beyond each edge', () => {
    expect(clipRange(time, 1.5, 3.5)).toEqual({ first: 1, end: 6 });
  });

  it('keeps both sides of an event at the edge', () => {
    expect(clipRange(time, 2, 2)).toEqual({ first: 1, end: 5 });
  });

  it('returns everything without bounds and clamps at the ends', () => {
    expect(clipRange(time)).toEqual({ first: 0, end: 7 });
    expect(clipRange(time, -10, 100)).toEqual({ first: 0, end: 7 });
  });

  it('returns the nearest points for a range between two samples', () => {
    expect(clipRange([0, 10], 4, 6)).toEqual({ first: 0, end: 2 });
  });
});

describe('m4Indices against a brute-force reference', () => {
  /** Straight from the definition: bucket of t = floor((t - t0) / span * buckets), clamped. */
  function reference(time: number[], values: number[], maxPoints: number): number[] {
    if (time.length <= maxPoints) {
      return time.map((_, i) => i);
    }
    const buckets = Math.max(1, Math.floor(maxPoints / 4));
    const span = time[time.length - 1] - time[0];
    const groups = new Map<number, number[]>();
    time.forEach((t, i) => {
      const b = span > 0 ? Math.min(buckets - 1, Math.floor(((t - time[0]) / span) * buckets)) : 0;
      groups.set(b, [...(groups.get(b) ?? []), i]);
    });
    const keep = new Set<number>();
    for (const indices of groups.values()) {
      keep.add(indices[0]);
      keep.add(indices[indices.length - 1]);
      const finite = indices.filter((i) => !Number.isNaN(values[i]));
      if (finite.length > 0) {
        keep.add(finite.reduce((a, i) => (values[i] < values[a] ? i : a)));
        keep.add(finite.reduce((a, i) => (values[i] > values[a] ? i : a)));
      }
    }
    return [...keep].sort((a, b) => a - b);
  }

  it('keeps the same points for any sorted times and any values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.oneof(fc.double(), fc.constant(NaN))), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 4, max: 60 }),
        (points, maxPoints) => {
          const sorted = [...points].sort((a, b) => a[0] - b[0]);
          const time = sorted.map((p) => p[0] / 7);
          const values = sorted.map((p) => p[1]);
          const kept = Array.from(m4Indices(Float64Array.from(time), Float64Array.from(values), maxPoints));
          // The same extremes may occur twice in a bucket: compare the kept values, not just the indices.
          const ref = reference(time, values, maxPoints);
          expect(kept.length).toBeLessThanOrEqual(Math.max(maxPoints, 4));
          expect(kept.map((i) => [time[i], values[i]])).toEqual(expect.arrayContaining(ref.map((i) => [time[i], values[i]])));
        }
      ),
      { numRuns: 500, seed: 4 }
    );
  });
});

describe('m4IndicesIn with buckets shared by the series of one read', () => {
  /** m4Indices as it was before the buckets were shared (a binary search per bucket and series), kept as the reference. */
  function perSeries(time: ArrayLike<number>, values: ArrayLike<number>, maxPoints: number): number[] {
    const n = time.length;
    if (n <= maxPoints) {
      return Array.from({ length: n }, (_, i) => i);
    }
    const buckets = Math.max(1, Math.floor(maxPoints / 4));
    const t0 = time[0];
    const span = time[n - 1] - t0;
    const indices = Array.from({ length: n }, (_, i) => i);
    const out: number[] = [];
    let start = 0;
    for (let b = 0; b < buckets && start < n; b++) {
      const end = b === buckets - 1 || !(span > 0) ? n : firstAtOrAfter(time, t0 + ((b + 1) * span) / buckets, start);
      if (end > start) {
        let min = -1;
        let max = -1;
        for (let i = start; i < end; i++) {
          if (values[i] < (min < 0 ? Infinity : values[min])) {
            min = i;
          }
          if (values[i] > (max < 0 ? -Infinity : values[max])) {
            max = i;
          }
        }
        // A bucket of only ±Infinity or NaN: the first +Infinity is its minimum, the first -Infinity its maximum.
        const firstWhere = (test: (v: number) => boolean) => indices.find((i) => i >= start && i < end && test(values[i])) ?? -1;
        min = min >= 0 ? min : firstWhere((v) => v === Infinity);
        max = max >= 0 ? max : firstWhere((v) => v === -Infinity);
        out.push(...[...new Set([start, min, max, end - 1].filter((i) => i >= 0))].sort((a, b) => a - b));
        start = end;
      }
    }
    return out;
  }

  it('keeps for every series what a per-series m4Indices kept, for any times (unsorted and NaN too) and values', () => {
    const value = fc.oneof(fc.double(), fc.constant(NaN), fc.constant(Infinity), fc.constant(-Infinity));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }).map((t) => t / 3), fc.constant(NaN)), { minLength: 1, maxLength: 300 }),
        fc.boolean(),
        fc.array(fc.array(value, { minLength: 300, maxLength: 300 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 80 }),
        (times, sort, columns, maxPoints) => {
          const time = Float64Array.from(sort ? [...times].sort((a, b) => a - b) : times);
          const buckets = m4BucketEnds(time, maxPoints);
          for (const column of columns) {
            const values = Float64Array.from(column.slice(0, time.length));
            const shared = buckets ? Array.from(m4IndicesIn(values, buckets)) : Array.from({ length: time.length }, (_, i) => i);
            expect(shared).toEqual(perSeries(time, values, maxPoints));
            expect(Array.from(m4Indices(time, values, maxPoints))).toEqual(shared);
          }
        }
      ),
      { numRuns: 800, seed: 18 }
    );
  });
});
