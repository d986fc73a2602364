import fc from 'fast-check';

import { clipRange } from '../decoder/clip';
import { m4Indices } from './m4';

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
