import { clipRange } from './clip';
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
