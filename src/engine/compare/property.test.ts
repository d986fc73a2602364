/**
 * The streamed comparison against an obviously-correct O(n·m) tube check written here from the
 * tube's definition (tube.ts): for every run sample, the bounds from every reference point within
 * ±w and the reference polyline at both window ends, built the same way. Random curves (seeded)
 * with steps, events (repeated time stamps), NaN, other grids and other spans; small chunks, so
 * that windows straddle chunk boundaries.
 */
import { compareInChunks } from './index';
import { pairsOf, seeded, TempResults } from './test-files';
import type { Interval, Tolerances, WorstDeviation } from './types';

const files = new TempResults();
beforeAll(() => files.open());
afterAll(() => files.close());

interface Expected {
  checked: number;
  outside: number;
  nanCount: number;
  failures: Interval[];
  worst: WorstDeviation | null;
}

const isNaNValue = (v: number) => v !== v;

function interpolate(t0: number, y0: number, t1: number, y1: number, t: number): number {
  return y0 + (y1 - y0) * ((t - t0) / (t1 - t0));
}

/** The reference at t: the last point stamped t, else the segment around t. */
function referenceAt(T: number[], Y: number[], t: number): number {
  let j = -1;
  for (let k = 0; k < T.length; k++) {
    if (T[k] <= t) {
      j = k;
    }
  }
  if (j < 0) {
    return NaN;
  }
  if (T[j] === t) {
    return Y[j];
  }
  return j + 1 < T.length ? interpolate(T[j], Y[j], T[j + 1], Y[j + 1], t) : NaN;
}

function bruteForce(runT: number[], runX: number[], T: number[], Y: number[], tol: Tolerances, w: number): Expected {
  const a = Math.max(runT[0], T[0]);
  const b = Math.min(runT[runT.length - 1], T[T.length - 1]);
  const used = Y.filter((y, j) => T[j] >= a - w && T[j] <= b + w && !isNaNValue(y));
  // csv-compare's floor under the range (tube.ts).
  const range = Math.max(0.001, used.length > 0 ? Math.max(...used) - Math.min(...used) : 0);
  const constant = tol.relativeTo === 'range' || tol.relative === 0;
  const h = (y: number) =>
    constant ? Math.max(tol.absolute, tol.relative * range) : Math.max(tol.absolute, tol.relative * Math.abs(y));
  const failures: Interval[] = [];
  const add = (from: number, to: number, extend: boolean) => {
    const last = failures[failures.length - 1];
    if (last && (extend || from <= last.to)) {
      last.to = Math.max(last.to, to);
    } else {
      failures.push({ from, to });
    }
  };
  if (runT[0] > T[0] + w) {
    add(T[0], runT[0], false);
  }
  let checked = 0;
  let outside = 0;
  let nanCount = T.filter((t, j) => t >= a && t <= b && isNaNValue(Y[j])).length;
  let worst: WorstDeviation | null = null;
  let worstDistance = -1;
  let previousOutside = false;
  for (let i = 0; i < runT.length; i++) {
    const t = runT[i];
    if (t < a || t > b) {
      continue;
    }
    const x = runX[i];
    const candidates: Array<{ y: number; u: number; l: number }> = [];
    for (let j = 0; j < T.length; j++) {
      if (T[j] >= t - w && T[j] <= t + w) {
        candidates.push({ y: Y[j], u: Y[j] + h(Y[j]), l: Y[j] - h(Y[j]) });
      }
    }
    for (const e of [t - w, t + w]) {
      for (let j = 0; j + 1 < T.length; j++) {
        if (T[j] < e && e < T[j + 1]) {
          const at = (f: (y: number) => number) => interpolate(T[j], f(Y[j]), T[j + 1], f(Y[j + 1]), e);
          const y = at((v) => v);
          // A constant half-height is added to the polyline; a varying one is interpolated itself.
          candidates.push(
            constant ? { y, u: y + h(y), l: y - h(y) } : { y, u: at((v) => v + h(v)), l: at((v) => v - h(v)) }
          );
        }
      }
    }
    const finite = candidates.filter((c) => !isNaNValue(c.y));
    const hasNaN = finite.length < candidates.length;
    let inside: boolean;
    let deviation: number;
    // Distance from the reference's own range in the window; relative: that over the half-height.
    let distance: number;
    let relative: number;
    if (isNaNValue(x) || finite.length === 0) {
      inside = isNaNValue(x) && hasNaN;
      deviation = inside ? 0 : Infinity;
      distance = deviation;
      relative = deviation;
    } else {
      const high = Math.max(...finite.map((c) => c.y));
      const low = Math.min(...finite.map((c) => c.y));
      const upper = Math.max(...finite.map((c) => c.u));
      const lower = Math.min(...finite.map((c) => c.l));
      inside = x >= lower && x <= upper;
      deviation = x > upper ? x - upper : x < lower ? lower - x : 0;
      distance = x > high ? x - high : x < low ? low - x : 0;
      const half = constant ? h(0) : x > high ? upper - high : low - lower;
      relative = half > 0 ? distance / half : distance > 0 ? Infinity : 0;
    }
    checked++;
    nanCount += isNaNValue(x) ? 1 : 0;
    if (!inside) {
      outside++;
      add(t, t, previousOutside);
    }
    previousOutside = !inside;
    if (!worst || deviation > worst.deviation || (deviation === worst.deviation && distance > worstDistance)) {
      worst = { time: t, value: x, referenceValue: referenceAt(T, Y, t), deviation, relative };
      worstDistance = distance;
    }
  }
  if (runT[runT.length - 1] < T[T.length - 1] - w) {
    add(runT[runT.length - 1], T[T.length - 1], false);
  }
  return { checked, outside, nanCount, failures, worst };
}

/** A time grid from `start`, with some stamps repeated (events). */
function grid(random: () => number, start: number, points: number, eventTimes: number[]): number[] {
  const time: number[] = [];
  let t = start;
  for (let i = 0; i < points; i++) {
    time.push(t);
    if (random() < 0.08) {
      time.push(t);
    }
    const step = 0.05 + random() * 0.3;
    const event = eventTimes.find((e) => e > t && e < t + step);
    t = event ?? t + step;
  }
  return time;
}

/** A curve with steps at the event times (taken after the first of repeated stamps) and NaN now and then. */
function curve(
  random: () => number,
  time: number[],
  shape: { freq: number; steps: number[]; nanRate: number; offset: number }
): number[] {
  return time.map((t, i) => {
    if (random() < shape.nanRate) {
      return NaN;
    }
    const afterEvent = i > 0 && time[i - 1] === t;
    const steps = shape.steps.filter((s) => t > s || (t === s && afterEvent)).length;
    return Math.sin(shape.freq * t) + steps + shape.offset;
  });
}

function randomTolerances(random: () => number): Tolerances {
  const pick = <T>(options: T[]): T => options[Math.floor(random() * options.length)];
  return {
    absolute: pick([0, 0.01, 0.1, 0.5]),
    relative: pick([0, 0.002, 0.05]),
    relativeTo: pick(['range', 'value'] as const),
    // 1.5 s holds more points than ConstantTube scans: its deques are checked too.
    time: pick([null, 0, 0.05, 0.3, 1.5]),
  };
}

const CASES = 150;

test(`the streamed check agrees with the brute-force tube on ${CASES} random cases`, async () => {
  let failingCases = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    const random = seeded(seed);
    const events = [1 + random() * 2, 4 + random() * 2];
    const refTime = grid(random, 0, 20 + Math.floor(random() * 40), events);
    const sameGrid = random() < 0.3;
    const runStart = random() < 0.2 ? random() * 1.5 : 0;
    const runTime = sameGrid ? refTime.slice() : grid(random, runStart, 10 + Math.floor(random() * 60), events);
    const shift = random() < 0.5 ? 0 : (random() - 0.5) * 0.4;
    const offset = random() < 0.5 ? 0 : (random() - 0.5) * 0.05;
    const shape = { freq: 1 + random(), steps: events, nanRate: random() < 0.3 ? 0.05 : 0, offset: 0 };
    const refY = curve(random, refTime, shape);
    // On the same grid the run shares the reference's NaNs (both NaN: equal), plus an offset.
    const runX =
      sameGrid && shift === 0
        ? refY.map((y) => y + offset)
        : curve(random, runTime, { ...shape, steps: events.map((e) => e + shift), offset });
    const tolerances = randomTolerances(random);
    const run = await files.write({ time: runTime, trajectories: { y: runX } });
    const reference = await files.write({ time: refTime, trajectories: { y: refY } });
    // Asking for the plot reads the reference's range first; otherwise verdicts wait for it (stream.ts): both must agree.
    const plot = seed % 2 === 0 ? { maxPoints: 40 } : undefined;
    const result = await compareInChunks(
      run,
      reference,
      { variables: pairsOf(run, reference, ['y']), tolerances, maxIntervals: 1000, plot },
      7
    );
    const expected = bruteForce(runTime, runX, refTime, refY, tolerances, result.timeTolerance);
    const actual = result.variables[0];
    const context = `seed ${seed}`;
    expect({ context, checked: actual.checked, outside: actual.outside, nanCount: actual.nanCount }).toEqual({
      context,
      checked: expected.checked,
      outside: expected.outside,
      nanCount: expected.nanCount,
    });
    expect({ context, failures: actual.failures, count: actual.failureCount }).toEqual({
      context,
      failures: expected.failures,
      count: expected.failures.length,
    });
    expect({ context, worst: actual.worst }).toEqual({ context, worst: expected.worst });
    expect({ context, status: actual.status }).toEqual({
      context,
      status: expected.failures.length > 0 || expected.checked === 0 ? 'fail' : 'pass',
    });
    failingCases += actual.status === 'fail' ? 1 : 0;
  }
  // The cases must exercise both outcomes, or agreement would prove little.
  expect(failingCases).toBeGreaterThan(CASES / 10);
  expect(failingCases).toBeLessThan(CASES - CASES / 10);
}, 120_000);
