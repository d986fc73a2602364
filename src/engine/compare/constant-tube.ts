/**
 * The tube of tube.ts for a constant half-height (absolute, or relative to the range: the
 * default), as tight loops over typed columns: it runs once per run sample of every variable.
 * Per chunk and variable, a first loop finds the reference's extremes in every sample's window
 * (scanning a few points, or a front of suffix extremes and a back of running ones over wide
 * windows: amortized O(1) per point however wide), a second widens them by the polyline at the window's ends (fractions planned once per
 * chunk, window-plan.ts) and checks the samples; a sample inside costs a few comparisons.
 * Samples outside, NaN and new worst ones go the general way (VariableTally).
 */
import type { Sample, VariableTally } from './tally';
import { referenceValueAt, type ReferenceRows, type RunRows, type WindowCursor } from './tube';
import type { WindowPlan } from './window-plan';

/**
 * The sliding window over wide windows (many points), as two parts: the front, rows
 * [frontStart, split), holds the largest and smallest finite value from each of its rows to the
 * split (suffix extremes, built backwards when the window's start passes the split); the back,
 * rows [split, pushed), only its running extremes. The window's extremes are those of the front
 * at its start and of the back. Each row is pushed once and built into a front at most once, so
 * a sample costs O(1) amortized however wide the window, and without the data-dependent pops of
 * a monotone deque (mispredicted branches dominated that).
 */
interface SlidingExtremes {
  frontHigh: Float64Array;
  frontLow: Float64Array;
  frontStart: number;
  split: number;
  backHigh: number;
  backLow: number;
  /** NaN rows in the window (NaN takes no part in the extremes). */
  nan: number;
}

/** Rebuilds the front from rows [start, end) (the whole window): the back is then empty. */
function rebuildFront(w: SlidingExtremes, ys: Float64Array, lo: number, start: number, end: number): void {
  const rows = end - start;
  if (w.frontHigh.length < rows) {
    w.frontHigh = new Float64Array(2 * rows);
    w.frontLow = new Float64Array(2 * rows);
  }
  const { frontHigh, frontLow } = w;
  let high = -Infinity;
  let low = Infinity;
  for (let r = rows - 1; r >= 0; r--) {
    const v = ys[start + r - lo];
    if (v === v) {
      high = v > high ? v : high;
      low = v < low ? v : low;
    }
    frontHigh[r] = high;
    frontLow[r] = low;
  }
  w.frontStart = start;
  w.split = end;
  w.backHigh = -Infinity;
  w.backLow = Infinity;
}

/**
 * Per-sample window extremes of one variable for one chunk, shared by all the tubes of a
 * comparison (they check one after the other), so no chunk allocates: `high`/`low` the largest
 * and smallest finite reference value among the window's points (-Infinity/Infinity when none),
 * `nan` 1 where a NaN is among them.
 */
export interface WindowExtremes {
  high: Float64Array;
  low: Float64Array;
  nan: Uint8Array;
}

export function windowExtremes(capacity: number): WindowExtremes {
  return { high: new Float64Array(capacity), low: new Float64Array(capacity), nan: new Uint8Array(capacity) };
}

function ensureExtremes(extremes: WindowExtremes, count: number): void {
  if (extremes.high.length < count) {
    const larger = windowExtremes(count);
    extremes.high = larger.high;
    extremes.low = larger.low;
    extremes.nan = larger.nan;
  }
}

/** Window extremes by scanning each window's points: for windows of a few points, cheaper than sliding. */
function scanWindows(plan: WindowPlan, ys: Float64Array, lo: number, out: WindowExtremes): void {
  const { count, first, next } = plan;
  const { high: highs, low: lows, nan: nans } = out;
  for (let s = 0; s < count; s++) {
    let high = -Infinity;
    let low = Infinity;
    let nan = 0;
    const end = next[s] - lo;
    for (let j = first[s] - lo; j < end; j++) {
      const v = ys[j];
      if (v !== v) {
        nan = 1;
      } else {
        high = v > high ? v : high;
        low = v < low ? v : low;
      }
    }
    highs[s] = high;
    lows[s] = low;
    nans[s] = nan;
  }
}

export class ConstantTube {
  private readonly sliding: SlidingExtremes = {
    frontHigh: new Float64Array(0),
    frontLow: new Float64Array(0),
    frontStart: 0,
    split: 0,
    backHigh: -Infinity,
    backLow: Infinity,
    nan: 0,
  };
  private h: number;
  private final = true;
  private readonly sample: Sample = {
    index: 0,
    time: 0,
    value: 0,
    high: 0,
    low: 0,
    upper: 0,
    lower: 0,
    hasNaN: false,
    referenceValue: NaN,
  };
  private lookup: ReferenceRows | null = null;
  private readonly referenceNow = () => {
    const ref = this.lookup;
    if (!ref) {
      return NaN;
    }
    const ys = ref.values[this.k];
    return referenceValueAt(ref.time, (j) => ys[j - ref.lo], ref.lo, ref.hi, this.sample.time);
  };

  /**
   * `scan`: the widest window holds so few points that scanning them beats sliding (SlidingExtremes).
   * `extremes`: the working columns, shared with the comparison's other tubes.
   */
  constructor(
    private readonly k: number,
    h: number,
    private readonly scan: boolean,
    private readonly extremes: WindowExtremes
  ) {
    this.h = h;
  }

  /** See VariableTube.setHeight. */
  setHeight(h: number, final: boolean): void {
    this.h = h;
    this.final = final;
  }

  /**
   * Checks the chunk's run samples (`plan` says where their windows lie; `cursor` is the window
   * before the chunk's first sample). `lower`/`upper`, when given, receive the bounds at each
   * sample (for plotting).
   */
  check(
    plan: WindowPlan,
    cursor: WindowCursor,
    run: RunRows,
    ref: ReferenceRows,
    tally: VariableTally,
    lower?: Float64Array,
    upper?: Float64Array
  ): void {
    this.lookup = ref;
    ensureExtremes(this.extremes, plan.count);
    const ys = ref.values[this.k];
    if (!(lower && upper)) {
      if (this.scan) {
        this.judgeScanning(plan, run, ys, ref.lo, tally);
      } else {
        this.judgeSliding(plan, cursor, run, ys, ref.lo, tally);
      }
      return;
    }
    if (this.scan) {
      scanWindows(plan, ys, ref.lo, this.extremes);
    } else {
      this.slideWindows(plan, cursor, ys, ref);
    }
    this.judgePlotting(plan, run, ys, ref.lo, tally, lower, upper);
  }

  /** Window extremes of wide windows (see SlidingExtremes), carried from chunk to chunk. */
  private slideWindows(plan: WindowPlan, cursor: WindowCursor, ys: Float64Array, ref: ReferenceRows): void {
    const { count, first, next } = plan;
    const { lo } = ref;
    const { high: highs, low: lows, nan: nans } = this.extremes;
    const w = this.sliding;
    let pushed = cursor.next;
    let dropped = cursor.first;
    let { backHigh, backLow, nan, split } = w;
    for (let s = 0; s < count; s++) {
      for (const end = next[s]; pushed < end; pushed++) {
        const v = ys[pushed - lo];
        if (v !== v) {
          nan++;
        } else {
          backHigh = v > backHigh ? v : backHigh;
          backLow = v < backLow ? v : backLow;
        }
      }
      const start = first[s];
      // Rows leaving the window matter only for the NaN count.
      for (; nan > 0 && dropped < start; dropped++) {
        const v = ys[dropped - lo];
        nan -= v !== v ? 1 : 0;
      }
      dropped = start > dropped ? start : dropped;
      if (start >= split) {
        rebuildFront(w, ys, lo, start, pushed);
        ({ backHigh, backLow, split } = w);
      }
      const at = start - w.frontStart;
      const frontHigh = start < split ? w.frontHigh[at] : -Infinity;
      const frontLow = start < split ? w.frontLow[at] : Infinity;
      highs[s] = frontHigh > backHigh ? frontHigh : backHigh;
      lows[s] = frontLow < backLow ? frontLow : backLow;
      nans[s] = nan > 0 ? 1 : 0;
    }
    w.backHigh = backHigh;
    w.backLow = backLow;
    w.split = split;
    w.nan = nan;
  }

  /**
   * `slideWindows` and the check in one loop, for wide windows without a plot. The check proper:
   * the window's extremes widened by the polyline at both window ends (in that order, as tube.ts
   * does), the bounds, and the sample against them. A sample inside and no closer to a bound
   * than the worst so far is only counted.
   */
  private judgeSliding(
    plan: WindowPlan,
    cursor: WindowCursor,
    run: RunRows,
    ys: Float64Array,
    lo: number,
    tally: VariableTally
  ): void {
    const { count, first, next, fromFraction, toFraction } = plan;
    const xs = run.values;
    const h = this.h;
    const w = this.sliding;
    let pushed = cursor.next;
    let dropped = cursor.first;
    let { backHigh, backLow, nan: nanRows, split } = w;
    let inside = 0;
    let threshold = tally.insideThreshold();
    for (let s = 0; s < count; s++) {
      for (const end = next[s]; pushed < end; pushed++) {
        const v = ys[pushed - lo];
        if (v !== v) {
          nanRows++;
        } else {
          backHigh = v > backHigh ? v : backHigh;
          backLow = v < backLow ? v : backLow;
        }
      }
      const start = first[s];
      for (; nanRows > 0 && dropped < start; dropped++) {
        const v = ys[dropped - lo];
        nanRows -= v !== v ? 1 : 0;
      }
      dropped = start > dropped ? start : dropped;
      if (start >= split) {
        rebuildFront(w, ys, lo, start, pushed);
        ({ backHigh, backLow, split } = w);
      }
      const frontHigh = start < split ? w.frontHigh[start - w.frontStart] : -Infinity;
      const frontLow = start < split ? w.frontLow[start - w.frontStart] : Infinity;
      let top = frontHigh > backHigh ? frontHigh : backHigh;
      let bottom = frontLow < backLow ? frontLow : backLow;
      let nan = nanRows > 0 ? 1 : 0;
      // A fraction is never negative where the end falls inside a segment (NO_END is -1).
      const f0 = fromFraction[s];
      if (f0 >= 0) {
        const p = start - 1 - lo;
        const y = ys[p] + (ys[p + 1] - ys[p]) * f0;
        nan = y !== y ? 1 : nan;
        top = y > top ? y : top;
        bottom = y < bottom ? y : bottom;
      }
      const f1 = toFraction[s];
      if (f1 >= 0) {
        const p = pushed - 1 - lo;
        const y = ys[p] + (ys[p + 1] - ys[p]) * f1;
        nan = y !== y ? 1 : nan;
        top = y > top ? y : top;
        bottom = y < bottom ? y : bottom;
      }
      const x = xs[s];
      if (
        top >= bottom &&
        x <= top + h &&
        x >= bottom - h &&
        (x > top ? x - top : x < bottom ? bottom - x : 0) <= threshold
      ) {
        inside++;
        continue;
      }
      tally.addChecked(inside);
      inside = 0;
      const finite = top >= bottom;
      this.slowPath(
        tally,
        run.first + s,
        run.time[run.first + s],
        x,
        top,
        bottom,
        finite ? top + h : NaN,
        finite ? bottom - h : NaN,
        nan === 1
      );
      threshold = tally.insideThreshold();
    }
    tally.addChecked(inside);
    w.backHigh = backHigh;
    w.backLow = backLow;
    w.split = split;
    w.nan = nanRows;
  }

  /**
   * `scanWindows` and the check (see judgeSliding) in one loop, for the hot default case (windows of a few points, no
   * plot): the window's points and the rows at its ends are next to each other in memory.
   */
  private judgeScanning(plan: WindowPlan, run: RunRows, ys: Float64Array, lo: number, tally: VariableTally): void {
    const { count, first, next, fromFraction, toFraction } = plan;
    const xs = run.values;
    const h = this.h;
    let inside = 0;
    let threshold = tally.insideThreshold();
    for (let s = 0; s < count; s++) {
      let top = -Infinity;
      let bottom = Infinity;
      let nan = 0;
      const a = first[s] - lo;
      const b = next[s] - lo;
      for (let j = a; j < b; j++) {
        const v = ys[j];
        if (v !== v) {
          nan = 1;
        } else {
          top = v > top ? v : top;
          bottom = v < bottom ? v : bottom;
        }
      }
      const f0 = fromFraction[s];
      if (f0 >= 0) {
        const y0 = ys[a - 1];
        const y = y0 + (ys[a] - y0) * f0;
        nan = y !== y ? 1 : nan;
        top = y > top ? y : top;
        bottom = y < bottom ? y : bottom;
      }
      const f1 = toFraction[s];
      if (f1 >= 0) {
        const y0 = ys[b - 1];
        const y = y0 + (ys[b] - y0) * f1;
        nan = y !== y ? 1 : nan;
        top = y > top ? y : top;
        bottom = y < bottom ? y : bottom;
      }
      const x = xs[s];
      if (
        top >= bottom &&
        x <= top + h &&
        x >= bottom - h &&
        (x > top ? x - top : x < bottom ? bottom - x : 0) <= threshold
      ) {
        inside++;
        continue;
      }
      tally.addChecked(inside);
      inside = 0;
      const finite = top >= bottom;
      this.slowPath(
        tally,
        run.first + s,
        run.time[run.first + s],
        x,
        top,
        bottom,
        finite ? top + h : NaN,
        finite ? bottom - h : NaN,
        nan === 1
      );
      threshold = tally.insideThreshold();
    }
    tally.addChecked(inside);
  }

  /** The check, after `scanWindows` or `slideWindows`, that also writes the bounds at every sample for the plot (kept apart: the plain loop is the hot one). */
  private judgePlotting(
    plan: WindowPlan,
    run: RunRows,
    ys: Float64Array,
    lo: number,
    tally: VariableTally,
    lower: Float64Array,
    upper: Float64Array
  ): void {
    const { count, first, next, fromFraction, toFraction } = plan;
    const { high: highs, low: lows, nan: nans } = this.extremes;
    const xs = run.values;
    const h = this.h;
    let inside = 0;
    let threshold = tally.insideThreshold();
    for (let s = 0; s < count; s++) {
      let top = highs[s];
      let bottom = lows[s];
      let nan = nans[s];
      const f0 = fromFraction[s];
      if (f0 >= 0) {
        const p = first[s] - 1 - lo;
        const y = ys[p] + (ys[p + 1] - ys[p]) * f0;
        nan = y !== y ? 1 : nan;
        top = y > top ? y : top;
        bottom = y < bottom ? y : bottom;
      }
      const f1 = toFraction[s];
      if (f1 >= 0) {
        const p = next[s] - 1 - lo;
        const y = ys[p] + (ys[p + 1] - ys[p]) * f1;
        nan = y !== y ? 1 : nan;
        top = y > top ? y : top;
        bottom = y < bottom ? y : bottom;
      }
      const up = top >= bottom ? top + h : NaN;
      const down = top >= bottom ? bottom - h : NaN;
      lower[s] = down;
      upper[s] = up;
      const x = xs[s];
      if (x <= up && x >= down && (x > top ? x - top : x < bottom ? bottom - x : 0) <= threshold) {
        inside++;
        continue;
      }
      tally.addChecked(inside);
      inside = 0;
      this.slowPath(tally, run.first + s, run.time[run.first + s], x, top, bottom, up, down, nan === 1);
      threshold = tally.insideThreshold();
    }
    tally.addChecked(inside);
  }

  private slowPath(
    tally: VariableTally,
    i: number,
    t: number,
    x: number,
    high: number,
    low: number,
    up: number,
    down: number,
    hasNaN: boolean
  ): void {
    const s = this.sample;
    s.index = i;
    s.time = t;
    s.value = x;
    s.high = high >= low ? high : NaN;
    s.low = high >= low ? low : NaN;
    s.upper = up;
    s.lower = down;
    s.hasNaN = hasNaN;
    if (this.final) {
      tally.decided(s, this.h, this.referenceNow);
    } else if (x !== x ? hasNaN : x <= up && x >= down) {
      tally.surelyInside(s, this.referenceNow);
    } else {
      tally.defer(s, this.referenceNow);
    }
  }
}
