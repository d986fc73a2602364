/**
 * Known answers of the comparison, each worked out by hand from the tube's definition (tube.ts).
 */
import { compareInChunks, compareRuns, resolveTolerances } from './index';
import { pairsOf, TempResults, type Curves } from './test-files';
import { DEFAULT_TOLERANCES, type CompareOptions, type RunComparison, type Tolerances } from './types';

const files = new TempResults();
beforeAll(() => files.open());
afterAll(() => files.close());

/** 0, 0.01, ..., stop: a fine uniform grid. */
function uniform(stop: number, step = 0.01, start = 0): number[] {
  const count = Math.round((stop - start) / step) + 1;
  return Array.from({ length: count }, (_, i) => start + i * step);
}

/** A step from 0 to 1 at `at`, stored as an event: the grid holds `at` twice (before and after). */
function stepCurve(time: number[], at: number): Curves {
  const withEvent: number[] = [];
  const values: number[] = [];
  for (const t of time) {
    if (t === at) {
      withEvent.push(t, t);
      values.push(0, 1);
    } else {
      withEvent.push(t);
      values.push(t < at ? 0 : 1);
    }
  }
  return { time: withEvent, trajectories: { y: values } };
}

async function compare(
  run: Curves,
  reference: Curves,
  tolerances: Partial<Tolerances> = {},
  extra: Partial<CompareOptions> = {},
  names = ['y']
): Promise<RunComparison> {
  const r = await files.write(run);
  const ref = await files.write(reference);
  return compareRuns(r, ref, {
    variables: pairsOf(r, ref, names),
    tolerances: resolveTolerances(tolerances),
    maxIntervals: 10,
    ...extra,
  });
}

describe('tolerances', () => {
  test('the first defined value wins, then the defaults (csv-compare: 0.002 of the range, time from it)', () => {
    expect(resolveTolerances()).toEqual(DEFAULT_TOLERANCES);
    expect(DEFAULT_TOLERANCES).toEqual({ absolute: 0, relative: 0.002, relativeTo: 'range', time: null });
    expect(resolveTolerances({ absolute: 1 }, { absolute: 2, time: 0.5 }, { relative: 0.1 })).toEqual({
      absolute: 1,
      relative: 0.1,
      relativeTo: 'range',
      time: 0.5,
    });
    expect(resolveTolerances(undefined, { time: null, relativeTo: 'value' })).toEqual({
      ...DEFAULT_TOLERANCES,
      relativeTo: 'value',
    });
  });

  test('the time tolerance is relative x the reference duration unless given', async () => {
    const time = uniform(10, 0.5);
    const curves = { time, trajectories: { y: time.map(() => 1) } };
    expect((await compare(curves, curves, { relative: 0.01 })).timeTolerance).toBeCloseTo(0.1, 12);
    expect((await compare(curves, curves, { time: 0.25 })).timeTolerance).toBe(0.25);
  });
});

describe('steps at events', () => {
  // Binary fractions, so the window edges fall exactly where worked out by hand.
  const grid = uniform(10, 1 / 64);
  const tolerances = { absolute: 0.01, relative: 0, time: 0.125 };

  test('a step shifted by less than the time tolerance passes', async () => {
    const result = await compare(stepCurve(grid, 5.0625), stepCurve(grid, 5), tolerances);
    expect(result.variables[0]).toMatchObject({ status: 'pass', outside: 0, failureCount: 0 });
    expect(result.passed).toBe(true);
  });

  test('a step shifted by more fails, on the interval around the step beyond the tolerance', async () => {
    const result = await compare(stepCurve(grid, 5.25), stepCurve(grid, 5), tolerances);
    const v = result.variables[0];
    expect(v.status).toBe('fail');
    // The run's 0s after 5 + 0.125, up to its own event at 5.25 (the value before it), are outside.
    expect(v.failures).toEqual([{ from: 5.125 + 1 / 64, to: 5.25 }]);
    expect(v.failureCount).toBe(1);
    expect(v.outside).toBe(8);
    expect(v.worst).toMatchObject({ time: 5.125 + 1 / 64, value: 0, referenceValue: 1 });
    expect(v.worst!.deviation).toBeCloseTo(1 - 0.01, 12);
    expect(result.passed).toBe(false);
  });

  test('the same step on both sides passes with no time tolerance at all: the event is never a ramp', async () => {
    const result = await compare(stepCurve(grid, 5), stepCurve(grid, 5), { absolute: 0, relative: 0, time: 0 });
    // Every sample is checked, the event's two included.
    expect(result.variables[0]).toMatchObject({ status: 'pass', checked: grid.length + 1 });
    expect(result.variables[0].worst!.relative).toBe(0);
  });

  test('a step at an event of the reference against a run on a coarser grid without the event', async () => {
    const coarse = uniform(10, 1 / 8);
    const run = { time: coarse, trajectories: { y: coarse.map((t) => (t < 5 ? 0 : 1)) } };
    const result = await compare(run, stepCurve(grid, 5), { absolute: 0.001, relative: 0, time: 0 });
    expect(result.variables[0]).toMatchObject({ status: 'pass', checked: coarse.length });
  });
});

describe('values', () => {
  const grid = uniform(10, 0.01);
  const sine = (t: number) => Math.sin(t);

  test('an overshoot fails at the right time with the right deviation', async () => {
    const bump = (t: number) => 0.5 * Math.max(0, 1 - Math.abs(t - 3) / 0.2);
    const run = { time: grid, trajectories: { y: grid.map((t) => sine(t) + bump(t)) } };
    const reference = { time: grid, trajectories: { y: grid.map(sine) } };
    const result = await compare(run, reference, { absolute: 0.05, relative: 0, time: 0 });
    const v = result.variables[0];
    expect(v.status).toBe('fail');
    expect(v.worst!.time).toBeCloseTo(3, 9);
    expect(v.worst!.deviation).toBeCloseTo(0.5 - 0.05, 9);
    expect(v.worst!.relative).toBeCloseTo(0.5 / 0.05, 6);
    expect(v.worst!.referenceValue).toBeCloseTo(Math.sin(3), 12);
    expect(v.failureCount).toBe(1);
    // |bump| > 0.05 where |t - 3| < 0.18.
    expect(v.failures[0].from).toBeCloseTo(2.83, 9);
    expect(v.failures[0].to).toBeCloseTo(3.17, 9);
  });

  test('noise inside the tube passes; the closest approach is reported below 1', async () => {
    let seed = 7;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.002;
    const run = { time: grid, trajectories: { y: grid.map((t) => sine(t) + noise()) } };
    const reference = { time: grid, trajectories: { y: grid.map(sine) } };
    // 0.002 x range (about 2) = 0.004 > 0.001, the noise's largest amplitude.
    const result = await compare(run, reference, { time: 0 });
    const v = result.variables[0];
    expect(v).toMatchObject({ status: 'pass', outside: 0, failures: [] });
    expect(v.worst!.deviation).toBe(0);
    expect(v.worst!.relative).toBeGreaterThan(0);
    expect(v.worst!.relative).toBeLessThan(0.26);
  });

  test('different grids: a finer run of the same curve passes; the reference is interpolated between its points', async () => {
    const coarse = uniform(10, 0.25);
    const fine = uniform(10, 0.01);
    const line = (t: number) => 2 * t + 1;
    const result = await compare(
      { time: fine, trajectories: { y: fine.map(line) } },
      { time: coarse, trajectories: { y: coarse.map(line) } },
      { absolute: 1e-9, relative: 0, time: 0 }
    );
    expect(result.variables[0]).toMatchObject({ status: 'pass', checked: fine.length });
  });

  test('relative to the local value: the tube scales with |y|', async () => {
    const time = uniform(2, 0.5);
    const reference = { time, trajectories: { y: [1, 100, 1, 100, 1] } };
    const run = { time, trajectories: { y: [1.05, 105, 1.2, 100, 1] } };
    const result = await compare(run, reference, { relative: 0.1, relativeTo: 'value', time: 0 });
    const v = result.variables[0];
    // 1.05 and 105 are within 10 %; 1.2 is not (bound 1.1).
    expect(v).toMatchObject({ status: 'fail', outside: 1, failures: [{ from: 1, to: 1 }] });
    expect(v.worst!.deviation).toBeCloseTo(0.1, 12);
  });

  describe("a constant reference: csv-compare's floor of 0.001 under the range", () => {
    const time = uniform(10, 0.5);
    const constant = (value: number): Curves => ({ time, trajectories: { y: time.map(() => value) } });

    test('a rounding passes with the defaults (h = 0.002 x 0.001, not 0)', async () => {
      const result = await compare(constant(5.0000001), constant(5.0));
      const v = result.variables[0];
      expect(v).toMatchObject({ status: 'pass', outside: 0, failures: [] });
      expect(v.worst!.relative).toBeCloseTo(1e-7 / 2e-6, 6);
    });

    test('a float32 run against a float64 reference of the same constant passes', async () => {
      const run = { ...constant(5.3), options: { precision: 'float32' as const } };
      const result = await compare(run, constant(5.3));
      expect(result.variables[0]).toMatchObject({ status: 'pass', outside: 0 });
      expect(Math.fround(5.3)).not.toBe(5.3);
    });

    test('a real difference still fails', async () => {
      const result = await compare(constant(5.1), constant(5.0));
      const v = result.variables[0];
      expect(v).toMatchObject({ status: 'fail', outside: time.length, failures: [{ from: 0, to: 10 }] });
      expect(v.worst!.deviation).toBeCloseTo(0.1 - 2e-6, 12);
    });

    test('the floor is no floor above 0.001: a range of 2 keeps its own tube', async () => {
      const reference = { time, trajectories: { y: time.map((t) => (t < 5 ? 0 : 2)) } };
      const run = { time, trajectories: { y: time.map((t) => (t < 5 ? 0.0039 : 2)) } };
      const result = await compare(run, reference, { time: 0 });
      // h = 0.002 x 2 = 0.004.
      expect(result.variables[0].worst!.relative).toBeCloseTo(0.0039 / 0.004, 9);
    });
  });
});

describe('spans', () => {
  const grid = uniform(10, 0.1);
  const curves = (time: number[]) => ({ time, trajectories: { y: time.map((t) => Math.cos(t)) } });

  test('a run that stops early fails on the part it does not cover, with a warning naming the times', async () => {
    const short = uniform(8, 0.1);
    const result = await compare(curves(short), curves(grid), { time: 0.05 });
    const v = result.variables[0];
    expect(v.status).toBe('fail');
    expect(v.outside).toBe(0);
    expect(v.failures).toEqual([{ from: short[short.length - 1], to: 10 }]);
    expect(result.compared).toEqual({ from: 0, to: short[short.length - 1] });
    expect(result.warnings.join('\n')).toMatch(/stops at 8(\.0+\d*)? s, before the reference \(10 s\)/);
    expect(result.passed).toBe(false);
  });

  test('a run longer than its reference passes on the common span, with a warning', async () => {
    const short = uniform(8, 0.1);
    const result = await compare(curves(grid), curves(short), { time: 0.05 });
    expect(result.variables[0].status).toBe('pass');
    expect(result.warnings.join('\n')).toMatch(/only up to 8(\.0+\d*)? s is compared/);
  });

  test('runs that do not overlap are no-overlap', async () => {
    const later = uniform(30, 0.1, 20);
    const result = await compare(curves(later), curves(grid));
    expect(result.variables[0].status).toBe('no-overlap');
    expect(result.compared).toBeNull();
    expect(result.warnings[0]).toMatch(/do not overlap/);
  });
});

describe('events on both sides', () => {
  test('duplicate stamps in both files at the same time, with other values around them', async () => {
    const time = [0, 1, 2, 2, 2, 3, 4];
    const reference = { time, trajectories: { y: [0, 0, 0, 5, 1, 1, 1] } };
    const run = { time: [0, 0.5, 1.5, 2, 2, 3.5, 4], trajectories: { y: [0, 0, 0, 0, 1, 1, 1] } };
    // Without time tolerance, the run's 0 and 1 at t = 2 both lie within the reference's 0..5 there.
    const result = await compare(run, reference, { absolute: 0.001, relative: 0, time: 0 });
    expect(result.variables[0]).toMatchObject({ status: 'pass', checked: 7 });
    // A run value of 5.5 at the event is above every value the reference takes there.
    const high = { ...run, trajectories: { y: [0, 0, 0, 0, 5.5, 1, 1] } };
    const failing = await compare(high, reference, { absolute: 0.001, relative: 0, time: 0 });
    expect(failing.variables[0]).toMatchObject({ status: 'fail', outside: 1, failures: [{ from: 2, to: 2 }] });
    expect(failing.variables[0].worst!.deviation).toBeCloseTo(0.499, 12);
  });
});

describe('missing variables and parameters', () => {
  test('a variable missing on either side is reported, never thrown', async () => {
    const time = uniform(1, 0.1);
    const run = { time, trajectories: { y: time, onlyRun: time }, parameters: { k: 2, gain: 1, runOnly: 3 } };
    const reference = {
      time,
      trajectories: { y: time, onlyReference: time },
      parameters: { k: 2.5, gain: 1.0000001, referenceOnly: 4 },
    };
    const result = await compare(run, reference, { relative: 0.002 }, {}, ['y', 'onlyRun', 'onlyReference']);
    expect(result.variables.map((v) => [v.name, v.status, v.missingIn])).toEqual([
      ['y', 'pass', undefined],
      ['onlyRun', 'missing', 'reference'],
      ['onlyReference', 'missing', 'run'],
    ]);
    expect(result.passed).toBe(false);
    expect(result.parameters).toEqual([
      { name: 'k', unit: null, value: 2, referenceValue: 2.5 },
      { name: 'referenceOnly', unit: null, value: null, referenceValue: 4 },
      { name: 'runOnly', unit: null, value: 3, referenceValue: null },
    ]);
    expect(result.warnings.join('\n')).toMatch(/3 parameters differ/);
  });
});

describe('NaN', () => {
  const time = uniform(1, 0.1);
  const tolerances = { absolute: 0.01, relative: 0, time: 0 };

  test('NaN on both sides at the same time is equal', async () => {
    const y = time.map((t, i) => (i === 4 ? NaN : t));
    const result = await compare({ time, trajectories: { y } }, { time, trajectories: { y } }, tolerances);
    expect(result.variables[0]).toMatchObject({ status: 'pass', nanCount: 2 });
  });

  test('NaN on one side only is outside, either way round', async () => {
    const withNaN = time.map((t, i) => (i === 4 ? NaN : t));
    const result = await compare(
      { time, trajectories: { y: withNaN } },
      { time, trajectories: { y: time } },
      tolerances
    );
    expect(result.variables[0]).toMatchObject({
      status: 'fail',
      outside: 1,
      nanCount: 1,
      failures: [{ from: time[4], to: time[4] }],
    });
    expect(result.variables[0].worst!.deviation).toBe(Infinity);
    const reverse = await compare(
      { time, trajectories: { y: time } },
      { time, trajectories: { y: withNaN } },
      tolerances
    );
    // The run's 0.4 meets only the reference's NaN at 0.4 (no time tolerance): outside.
    expect(reverse.variables[0]).toMatchObject({ status: 'fail', outside: 1, nanCount: 1 });
  });
});

test('an aborted signal stops the comparison with an AbortError', async () => {
  const time = uniform(1, 0.1);
  const curves = { time, trajectories: { y: time } };
  const controller = new AbortController();
  controller.abort();
  await expect(compare(curves, curves, {}, { signal: controller.signal })).rejects.toMatchObject({
    name: 'AbortError',
  });
});

test('a signal aborted while the files are read stops between chunks', async () => {
  const time = uniform(100, 0.01);
  const run = await files.write({ time, trajectories: { y: time } });
  const reference = await files.write({ time, trajectories: { y: time } });
  const controller = new AbortController();
  let reads = 0;
  // Aborts during the first read of run values: no later chunk may be read.
  const watched = Object.assign(Object.create(run) as typeof run, {
    readValues: (...args: Parameters<typeof run.readValues>) => {
      reads++;
      controller.abort();
      return run.readValues(...args);
    },
  });
  const options = {
    variables: pairsOf(run, reference, ['y']),
    tolerances: resolveTolerances(),
    maxIntervals: 10,
    signal: controller.signal,
  };
  await expect(compareInChunks(watched, reference, options, 1000)).rejects.toMatchObject({ name: 'AbortError' });
  expect(reads).toBe(1);
});
