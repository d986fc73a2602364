import type { LiveUpdate } from '../../shared/live';
import { applyLiveUpdate, emptyLiveView, type LiveView } from '../../datasource/live/merge';
import { LiveSeries } from './downsample';
import { bucketOf, bucketStart } from './downsample-grid';

/** Feeds rows in batches of `batch` through a series and the merge; returns the view and every update. */
function follow(
  series: LiveSeries,
  time: number[],
  values: number[],
  batch: number,
  settle = true
): { view: LiveView; updates: LiveUpdate[] } {
  const updates: LiveUpdate[] = [];
  for (let from = 0; from < time.length; from += batch) {
    const last = from + batch >= time.length;
    const update = series.push(
      Float64Array.from(time.slice(from, from + batch)),
      Float64Array.from(values.slice(from, from + batch)),
      { settled: last && settle }
    );
    if (update) {
      updates.push(update);
    }
  }
  return { view: updates.reduce(applyLiveUpdate, emptyLiveView()), updates };
}

const range = <T>(count: number, at: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => at(i));

describe('LiveSeries', () => {
  it('sends up to maxPoints rows as they are, appending each batch', () => {
    const series = new LiveSeries({ maxPoints: 10 });
    const { view, updates } = follow(series, [0, 1, 1, 2, 3, 4, 5, 6], [5, NaN, -0, 7, Infinity, 1, 2, 3], 3);
    expect(updates.map((u) => [u.action, u.time.length, u.provisional.time.length, u.rows])).toEqual([
      ['replace', 3, 0, 3],
      ['append', 3, 0, 6],
      ['append', 2, 0, 8],
    ]);
    expect(view).toMatchObject({
      time: [0, 1, 1, 2, 3, 4, 5, 6],
      values: [5, null, -0, 7, null, 1, 2, 3],
      rows: 8,
      settled: true,
    });
  });

  it('keeps a step: first, minimum, maximum and last of each bucket, sent once', () => {
    // Stop 9.5 over 10 buckets less half a bucket: buckets [k, k + 1).
    const time = range(951, (i) => i / 100);
    const values = time.map((t) => (t < 4.5 ? 0 : 1));
    const series = new LiveSeries({ maxPoints: 40, expectedStop: 9.5 });
    const { view, updates } = follow(series, time, values, 100);
    expect(series.grid).toEqual({ origin: 0, width: 1 });
    expect(view.time).toEqual([
      0, 0.99, 1, 1.99, 2, 2.99, 3, 3.99, 4, 4.5, 4.99, 5, 5.99, 6, 6.99, 7, 7.99, 8, 8.99, 9, 9.5,
    ]);
    expect(view.values).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    // One replace (the first batch already outgrows the exact view), then appends that never resend a final point.
    expect(updates.map((u) => u.action)).toEqual(['replace', ...range(9, () => 'append')]);
    expect(updates.reduce((sum, u) => sum + u.time.length, 0)).toBe(view.time.length);
  });

  it('shows the open bucket at once, as provisional points the next update replaces', () => {
    const series = new LiveSeries({ maxPoints: 40, expectedStop: 9.5 });
    follow(
      series,
      range(150, (i) => i / 100),
      range(150, () => 0),
      150,
      false
    );
    const update = series.push(Float64Array.of(1.5, 1.6), Float64Array.of(-3, 8)) as LiveUpdate;
    expect(update).toMatchObject({
      action: 'append',
      time: [],
      provisional: { time: [1, 1.5, 1.6], values: [0, -3, 8] },
      rows: 152,
    });
    const next = series.push(Float64Array.of(2), Float64Array.of(4)) as LiveUpdate;
    expect(next).toMatchObject({ action: 'append', time: [1, 1.5, 1.6], provisional: { time: [2], values: [4] } });
  });

  it('keeps a spike inside one bucket through every widening of the grid', () => {
    const time = range(20_000, (i) => i * 0.01);
    const values = time.map((_, i) => (i === 357 ? 1000 : i === 12_345 ? -50 : Math.sin(i / 100)));
    const series = new LiveSeries({ maxPoints: 100, expectedStop: 10 });
    const { view, updates } = follow(series, time, values, 250);
    expect(updates.filter((u) => u.action === 'replace').length).toBeGreaterThan(2);
    expect(view.time.length).toBeLessThanOrEqual(100);
    const top = view.values.indexOf(1000);
    expect([view.time[top], view.values.filter((v) => v === 1000).length]).toEqual([time[357], 1]);
    expect(view.time[view.values.indexOf(-50)]).toBe(time[12_345]);
    expect(Math.max(...(view.values as number[]))).toBe(1000);
    expect([view.time[0], view.time[view.time.length - 1]]).toEqual([0, time[time.length - 1]]);
  });

  it('skips NaN for the extremes and keeps a bucket of only NaN as its first and last row', () => {
    // Stop 1.5 over 2 buckets less half a bucket: buckets [0, 1) and [1, 2).
    const time = [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1, 1.125, 1.25, 1.375, 1.5];
    const values = [NaN, 3, NaN, NaN, -1, NaN, 2, NaN, NaN, NaN, NaN, NaN, NaN];
    const { view } = follow(new LiveSeries({ maxPoints: 8, expectedStop: 1.5 }), time, values, 4);
    expect(view.time).toEqual([0, 0.125, 0.5, 0.875, 1, 1.5]);
    expect(view.values).toEqual([null, 3, -1, null, null, null]);
  });

  it('puts events at a bucket start in that bucket', () => {
    const time = [0, 0.5, 0.9, 1, 1, 1, 1.2, 1.5];
    const values = [0, 0, 0, 5, -5, 2, 1, 1];
    const { view } = follow(new LiveSeries({ maxPoints: 4 * 2, expectedStop: 1.5 }), [...time, 1.5], [...values, 9], 2);
    expect(view.time).toEqual([0, 0.9, 1, 1, 1.5]);
    expect(view.values).toEqual([0, 0, 5, -5, 9]);
  });

  it('takes rows that all share one time, then gives the grid its width from the first later row', () => {
    const time = [...range(30, () => 5), ...range(30, (i) => 5 + (i + 1) / 10)];
    const values = range(60, (i) => (i * 7919) % 13);
    const series = new LiveSeries({ maxPoints: 8 });
    const { view, updates } = follow(series, time, values, 10);
    expect(series.grid?.width).toBeGreaterThan(0);
    expect(view.time.length).toBeLessThanOrEqual(8);
    expect(view.time[0]).toBe(5);
    expect(view.time[view.time.length - 1]).toBe(8);
    expect(updates.every((u) => u.time.length + u.provisional.time.length <= 8)).toBe(true);
  });

  it('stays within maxPoints and replaces about once per doubling of a run with no known end', () => {
    const series = new LiveSeries({ maxPoints: 100 });
    let view = emptyLiveView();
    let replaces = 0;
    let finalSent = 0;
    for (let batch = 0; batch < 2000; batch++) {
      const time = Float64Array.from({ length: 100 }, (_, i) => batch * 100 + i);
      const update = series.push(time, time.map(Math.sin)) as LiveUpdate;
      replaces += update.action === 'replace' ? 1 : 0;
      finalSent = (update.action === 'replace' ? 0 : finalSent) + update.time.length;
      view = applyLiveUpdate(view, update);
      // Each final point is sent once: the appends since the last replace add up to the view's final points.
      if (view.time.length > 100 || finalSent !== view.time.length - view.provisionalCount) {
        expect({ points: view.time.length, finalSent }).toEqual({
          points: '<= 100',
          finalSent: view.time.length - view.provisionalCount,
        });
      }
    }
    // The first update, the switch to buckets at 200 rows (rows to 398 fit), then a doubling at 398 × 2^k up to 200,000.
    expect(replaces).toBe(2 + Math.ceil(Math.log2(200_000 / 398)));
    expect(view.rows).toBe(200_000);
  });

  it('starts over after a reset, with a replace', () => {
    const series = new LiveSeries({ maxPoints: 20 });
    let { view } = follow(
      series,
      range(100, (i) => i),
      range(100, (i) => i),
      30,
      false
    );
    const reset = series.reset();
    expect(reset).toMatchObject({ action: 'replace', time: [], provisional: { time: [] }, rows: 0 });
    view = applyLiveUpdate(view, reset);
    const update = series.push(Float64Array.of(0, 1, 2), Float64Array.of(7, 8, 9)) as LiveUpdate;
    expect(update.action).toBe('replace');
    view = applyLiveUpdate(view, update);
    expect(view).toMatchObject({ time: [0, 1, 2], values: [7, 8, 9], provisionalCount: 0, rows: 3 });
  });

  it("lays out a restarted run's grid with its own stop time, not the first run's", () => {
    const series = new LiveSeries({ maxPoints: 8, expectedStop: 100 });
    series.push(Float64Array.from(range(20, (i) => i)), Float64Array.from(range(20, (i) => i)));
    expect(series.grid?.width).toBeCloseTo(100 / 1.5, 9);
    series.reset();
    // The new run's catalogue is not written yet at the reset; its stop time comes with a later answer.
    series.expectStop(10);
    series.push(Float64Array.from(range(20, (i) => i / 2)), Float64Array.from(range(20, (i) => i)));
    expect(series.grid?.width).toBeCloseTo(10 / 1.5, 9);
    // Once the grid is laid out, a stop time stated later changes nothing.
    series.expectStop(1_000);
    series.push(Float64Array.of(9.75), Float64Array.of(0));
    expect(series.grid?.width).toBeCloseTo(10 / 1.5, 9);
  });

  it('reopens the last bucket when rows follow a settled run', () => {
    const series = new LiveSeries({ maxPoints: 8, expectedStop: 1.5 });
    const { view: settled } = follow(
      series,
      [0, 0.25, 0.5, 0.75, 1, 1.1, 1.2, 1.3, 1.4],
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      9
    );
    expect(settled).toMatchObject({ time: [0, 0.75, 1, 1.4], provisionalCount: 0, settled: true });
    const update = series.push(Float64Array.of(1.45), Float64Array.of(-1)) as LiveUpdate;
    expect(update).toMatchObject({
      action: 'replace',
      time: [0, 0.75],
      provisional: { time: [1, 1.4, 1.45], values: [4, 8, -1] },
      settled: false,
    });
  });

  it('refuses a batch whose times go back or are not finite, and keeps none of it', () => {
    const series = new LiveSeries({ maxPoints: 8 });
    series.push(Float64Array.of(0, 1), Float64Array.of(0, 0));
    expect(() => series.push(Float64Array.of(2, 0.5), Float64Array.of(0, 0))).toThrow(/row 3: time 0.5 is before 2/);
    expect(() => series.push(Float64Array.of(NaN), Float64Array.of(0))).toThrow(/row 2: time NaN is not finite/);
    expect(() => series.push(Float64Array.of(3), Float64Array.of())).toThrow(RangeError);
    expect(series.rowCount).toBe(2);
    expect(series.push(Float64Array.of(1), Float64Array.of(4))?.time).toEqual([1]);
    expect(() => new LiveSeries({ maxPoints: 0 })).toThrow(RangeError);
  });

  it('answers nothing for an empty batch, and a snapshot with the latest number', () => {
    const series = new LiveSeries({ maxPoints: 8 });
    expect(series.push(new Float64Array(0), new Float64Array(0))).toBeUndefined();
    const first = series.push(Float64Array.of(0), Float64Array.of(1)) as LiveUpdate;
    expect(series.snapshot()).toEqual({ ...first, action: 'replace' });
    expect(series.push(new Float64Array(0), new Float64Array(0), { settled: true })).toMatchObject({
      action: 'append',
      seq: first.seq + 1,
      settled: true,
    });
    expect(series.push(new Float64Array(0), new Float64Array(0), { settled: true })).toBeUndefined();
  });
});

describe('bucketOf', () => {
  /** The float next to x towards -Infinity or +Infinity. */
  function adjacent(x: number, direction: -1 | 1): number {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const bits = view.getBigInt64(0);
    const one = BigInt(1);
    view.setBigInt64(0, x > 0 === direction > 0 ? bits + one : bits - one);
    return x === 0 ? direction * Number.MIN_VALUE : view.getFloat64(0);
  }

  it('follows the bucket starts where the division rounds the other way', () => {
    // A seeded generator: the cases where the quotient is off by one are about 1 in 20.
    let seed = 20;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    let corrected = 0;
    const wrong: object[] = [];
    for (let i = 0; i < 20_000; i++) {
      const grid = {
        origin: (random() - 0.5) * 10 ** Math.floor(random() * 6),
        width: random() * 10 ** (Math.floor(random() * 6) - 3),
      };
      const start = bucketStart(grid, 1 + Math.floor(random() * 60));
      for (const t of [start, adjacent(start, -1), adjacent(start, 1)]) {
        let expected = 0;
        while (bucketStart(grid, expected + 1) <= t) {
          expected++;
        }
        corrected += Math.floor((t - grid.origin) / grid.width) !== expected ? 1 : 0;
        if (bucketOf(grid, t, 64) !== expected) {
          wrong.push({ grid, t, expected, got: bucketOf(grid, t, 64) });
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(corrected).toBeGreaterThan(100);
  });
});
