/**
 * Random row streams through LiveSeries and the browser's merge, update by update, against a
 * brute-force M4 over all the rows seen so far. Engine and merge are tested together because the
 * promise is about what the panel ends up holding.
 */
import fc from 'fast-check';

import { applyLiveUpdate, emptyLiveView, type LiveView } from '../../datasource/live/merge';
import { LiveSeries, type BucketGrid } from './downsample';

interface Points {
  time: number[];
  values: Array<number | null>;
}

const wire = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The bucket of t straight from the grid's definition: the last b with origin + b * width <= t. */
function bucketByDefinition(grid: BucketGrid, t: number): number {
  let b = 0;
  while (grid.width > 0 && grid.origin + (b + 1) * grid.width <= t) {
    b++;
  }
  return b;
}

/** `item(i)` of every row i, by bucket. */
function groupBy<T>(time: number[], grid: BucketGrid, item: (i: number) => T): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  time.forEach((t, i) => {
    const b = bucketByDefinition(grid, t);
    const group = groups.get(b);
    if (group) {
      group.push(item(i));
    } else {
      groups.set(b, [item(i)]);
    }
  });
  return groups;
}

/** M4 from its definition, per bucket: first and last row, the first lowest and the first highest value (NaN never). */
function m4Reference(time: number[], values: number[], grid: BucketGrid | undefined): Points {
  if (!grid) {
    return { time: [...time], values: values.map(wire) };
  }
  const keep: number[] = [];
  for (const rows of groupBy(time, grid, (i) => i).values()) {
    const picks = new Set([rows[0], rows[rows.length - 1]]);
    const numbers = rows.filter((i) => !Number.isNaN(values[i]));
    if (numbers.length > 0) {
      const low = Math.min(...numbers.map((i) => values[i]));
      const high = Math.max(...numbers.map((i) => values[i]));
      picks.add(numbers.find((i) => values[i] === low) as number);
      picks.add(numbers.find((i) => values[i] === high) as number);
    }
    keep.push(...picks);
  }
  keep.sort((a, b) => a - b);
  return { time: keep.map((i) => time[i]), values: keep.map((i) => wire(values[i])) };
}

function expectFacts<T extends Record<string, number | boolean>>(actual: T, expected: T): void {
  if (Object.keys(expected).some((key) => actual[key] !== expected[key])) {
    expect(actual).toEqual(expected);
  }
}

function viewPoints(view: LiveView): Points {
  return { time: view.time, values: view.values };
}

function samePoints(a: Points, b: Points): boolean {
  const same = (x: ReadonlyArray<number | null>, y: ReadonlyArray<number | null>) =>
    x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  return same(a.time, b.time) && same(a.values, b.values);
}

/** toEqual only to report a difference: it costs 0.4 ms a call (any expect() some 50 µs), and these run thousands of times. */
function expectPoints(actual: Points, expected: Points): void {
  if (!samePoints(actual, expected)) {
    expect(actual).toEqual(expected);
  }
}

/** Every finite value of a bucket lies between the lowest and highest value the view keeps of it, and both are kept. */
function expectBucketExtremes(time: number[], values: number[], view: LiveView, grid: BucketGrid): void {
  const keptOf = groupBy(view.time, grid, (i) => view.values[i]);
  for (const [bucket, bucketValues] of groupBy(time, grid, (i) => values[i])) {
    // An infinity is an extreme that travels as null: the finite values then have nothing to be held to.
    if (bucketValues.some((v) => v === Infinity || v === -Infinity)) {
      continue;
    }
    const finite = bucketValues.filter((v) => !Number.isNaN(v));
    const kept = (keptOf.get(bucket) ?? []).filter((v): v is number => v !== null);
    if (finite.length === 0) {
      expect(kept).toEqual([]);
      continue;
    }
    expect(Math.min(...kept)).toBe(Math.min(...finite));
    expect(Math.max(...kept)).toBe(Math.max(...finite));
  }
}

const step = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1e-9, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 200, noNaN: true }) }
);
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 3, arbitrary: fc.integer({ min: -2, max: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0) }
);

/** Where the announced stop time is, relative to the run's real end (a fraction of its extent), or none. */
const announced = fc.oneof(fc.constant(undefined), fc.constant(1), fc.double({ min: 0.05, max: 3, noNaN: true }));

const run = fc.record({
  origin: fc.double({ min: -1e4, max: 1e4, noNaN: true }),
  // size 'max': lengths up to 1500, not the few rows fast-check's default size gives.
  rows: fc.array(fc.tuple(step, value), { maxLength: 1500, size: 'max' }),
  maxPoints: fc.integer({ min: 1, max: 48 }),
  // Empty batches too (a long poll that timed out); the last size is never 0, so the run always ends.
  batches: fc
    .tuple(fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 11 }), fc.integer({ min: 1, max: 150 }))
    .map(([sizes, last]) => [...sizes, last]),
  stopAt: announced,
  settleWithLastRows: fc.boolean(),
});

/** Times from a start and steps (0 for an event), with their values. */
function rowsFrom(origin: number, rows: Array<[number, number]>): { time: number[]; values: number[] } {
  const time: number[] = [];
  let t = origin;
  for (const [dt] of rows) {
    t += dt;
    time.push(t);
  }
  return { time, values: rows.map(([, v]) => v) };
}

/** A failure on 1,500 rows shrinks for minutes; report what a minute of shrinking found (a run this long is a failure too). */
const shrinkingAtMost = fc.interruptAfterTimeLimit(60_000, { failOnInterrupt: true });

describe('a live series, through the merge', () => {
  it('shows the M4 of the rows so far, within maxPoints, equal to its snapshot, after every batch', () => {
    fc.assert(
      fc.property(run, ({ origin, rows, maxPoints, batches, stopAt, settleWithLastRows }) => {
        const { time, values: column } = rowsFrom(origin, rows);
        const extent = time.length > 0 ? time[time.length - 1] - time[0] : 0;
        const expectedStop = stopAt === undefined || time.length === 0 ? undefined : time[0] + stopAt * extent;
        const series = new LiveSeries({ maxPoints, expectedStop });
        const bound = Math.max(4, maxPoints);
        let view = emptyLiveView();
        let fed = 0;
        for (let b = 0; fed < time.length || b === 0; b++) {
          const size = Math.min(batches[b % batches.length], time.length - fed);
          const last = fed + size === time.length;
          const update = series.push(
            Float64Array.from(time.slice(fed, fed + size)),
            Float64Array.from(column.slice(fed, fed + size)),
            { settled: last && settleWithLastRows }
          );
          fed += size;
          const sent = update ? update.time.length + update.provisional.time.length : 0;
          view = update ? applyLiveUpdate(view, update) : view;
          expectFacts(
            {
              sentWithinBound: sent <= bound,
              heldWithinBound: view.time.length <= bound,
              rows: view.rows,
              gap: view.gap,
            },
            { sentWithinBound: true, heldWithinBound: true, rows: fed, gap: false }
          );
          expectPoints(viewPoints(view), viewPoints(applyLiveUpdate(emptyLiveView(), series.snapshot())));
          expectPoints(viewPoints(view), m4Reference(time.slice(0, fed), column.slice(0, fed), series.grid));
          if (fed <= bound) {
            expectPoints(viewPoints(view), { time: time.slice(0, fed), values: column.slice(0, fed).map(wire) });
          }
        }
        const end = series.push(new Float64Array(0), new Float64Array(0), { settled: true });
        if (end) {
          view = applyLiveUpdate(view, end);
        }
        expect(view.settled).toBe(true);
        expect(view.provisionalCount).toBe(0);
        expectPoints(viewPoints(view), m4Reference(time, column, series.grid));
        if (time.length > 0) {
          expect([view.time[0], view.values[0]]).toEqual([time[0], wire(column[0])]);
          expect([view.time[view.time.length - 1], view.values[view.values.length - 1]]).toEqual([
            time[time.length - 1],
            wire(column[time.length - 1]),
          ]);
        }
        const grid = series.grid;
        if (grid) {
          expectBucketExtremes(time, column, view, grid);
          // The grid holds every row in its floor(maxPoints / 4) buckets.
          expect(bucketByDefinition(grid, time[time.length - 1])).toBeLessThan(Math.floor(bound / 4));
        }
      }),
      { numRuns: 200, seed: 20, plugins: [shrinkingAtMost] }
    );
  });

  it('never widens a grid whose announced stop time the run keeps to', () => {
    fc.assert(
      fc.property(run, ({ origin, rows, maxPoints, batches }) => {
        const { time, values } = rowsFrom(origin, rows);
        fc.pre(time.length > Math.max(4, maxPoints) && time[time.length - 1] > time[0]);
        const stop = time[time.length - 1];
        const series = new LiveSeries({ maxPoints, expectedStop: stop });
        let replaces = 0;
        for (let fed = 0, b = 0; fed < time.length; b++) {
          const size = Math.max(1, Math.min(batches[b % batches.length], time.length - fed));
          const update = series.push(
            Float64Array.from(time.slice(fed, fed + size)),
            Float64Array.from(values.slice(fed, fed + size))
          );
          replaces += update?.action === 'replace' ? 1 : 0;
          fed += size;
        }
        // The first update and the switch from exact rows to buckets, which may be the same one.
        expect(replaces).toBeLessThanOrEqual(2);
        const buckets = Math.floor(Math.max(4, maxPoints) / 4);
        expect(series.grid).toEqual({ origin: time[0], width: (stop - time[0]) / (buckets - 0.5) });
      }),
      { numRuns: 200, seed: 21, plugins: [shrinkingAtMost] }
    );
  });
});
