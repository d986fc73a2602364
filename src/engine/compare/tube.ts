/**
 * The tolerance tube and the check of a run against it.
 *
 * What the published descriptions say, and what is taken from them:
 * - csv-compare (https://github.com/modelica-tools/csv-compare, README and `--help`): a tube is
 *   generated around the reference ("base") curve and the compared values are checked to lie
 *   inside it; `--tolerance` sets "the width of the tube at discontinuity in x-direction"
 *   [Default is 0.002]. Issue #42 works out how the tube is sized from a relative tolerance:
 *   of the reference's range on each axis (half-width = tolerance x time range, half-height =
 *   tolerance x value range); PR #67 later put a floor of 0.001 under that value range (taken
 *   here, see below); issue #77 asks to compare only over the span
 *   both results cover.
 * - The funnel (https://github.com/lbl-srg/funnel, README; pyfunnel on PyPI): rectangles whose
 *   half-width and half-height are the x and y tolerances are built around every reference point
 *   (`atol*` absolute, `ltol*` relative to the local value, `rtol*` relative to the range, "for
 *   compatibility with csv-compare"); the envelopes of the rectangles are the lower and upper
 *   bounds; the comparison "consists of interpolating the upper and lower envelopes at the x test
 *   values", and the error is max(0, y - y_up) - min(0, y - y_low).
 *
 * Choices made here (written from those descriptions, no code taken):
 * - The tube is the rectangle of half-width `w` (time) and half-height `h` (value) swept along the
 *   reference's polyline: at time t the upper bound is the largest of y + h over the reference
 *   points inside [t - w, t + w] and over the polyline interpolated at t - w and t + w (the window
 *   may fall between two points); the lower bound likewise with y - h and the smallest. A step
 *   at an event (two points at one time stamp) is a vertical segment, never a ramp, and every
 *   window that reaches the event holds both sides' values.
 * - `h` = max(absolute, relative x max(range, 0.001)), the range being the reference's over the
 *   points used, or relative x |y| per point for `relativeTo: 'value'` (the funnel's ltoly). The
 *   floor is csv-compare's (PR #67): a constant reference has range 0, and a tube of height 0
 *   would fail a run that only differs by rounding (a Dymola float32 result against an
 *   OpenModelica CSV of the same model); with the defaults a constant 5.0 then takes a run of
 *   5.0000001 (h = 2e-6) and fails one of 5.1. It is a floor in the variable's unit, like
 *   csv-compare's, so a variable whose whole range is below 0.001 gets a wider tube than 0.2 %
 *   of that range; `relativeTo: 'value'` or `absolute` size such tubes otherwise. `w` = `time`, else relative x the
 *   reference's duration (csv-compare's one tolerance for both axes).
 * - As the funnel does, each run sample is checked against the bounds at its own time; the run is
 *   never interpolated, so a run on a coarser or finer grid is checked at exactly its samples.
 * - NaN: a run NaN is inside when the reference holds a NaN within the window (both NaN: equal),
 *   else outside; a finite run value is outside where the window holds no finite reference value.
 *   Such NaN failures have an infinite deviation.
 * - `relative`: how far the sample is from the reference's own range within the window, in units
 *   of the tube's half-height there: 0 within that range, 1 on a bound, above 1 outside. The
 *   worst sample is the one furthest outside; among equals, and when all are inside, the one
 *   furthest from the reference's range; among equals the earliest.
 * - A run that stops before the reference (or starts after it), beyond the time tolerance, fails
 *   on the part it leaves out; a run longer than its reference is compared on the common span
 *   with a warning (references are sometimes cut short on purpose: csv-compare issue #77).
 * - Relative to the range, the range is that of the reference points the tube is built from (the
 *   compared span widened by the time tolerance). It is not known before the reference is read,
 *   so stream.ts checks in the same pass with the range read so far: a sample inside that tube is
 *   inside for good (the tube only grows); the few others are judged at the end (VariableTally).
 */
import type { HalfHeight } from './tolerances';
import type { Sample, VariableTally } from './tally';
import { WindowExtreme } from './window';

/** Reference rows held in memory: `values[k][j - lo]` is variable k at row j, for j in [lo, hi). */
export interface ReferenceRows {
  time: Float64Array;
  lo: number;
  hi: number;
  values: Float64Array[];
}

/** Where the time window stands in the reference: rows [first, next) are inside it. */
export interface WindowCursor {
  first: number;
  next: number;
}

/** Run samples [first, end) of one variable: `values[i - first]`. */
export interface RunRows {
  time: Float64Array;
  first: number;
  end: number;
  values: Float64Array;
}

export function lerp(t0: number, y0: number, t1: number, y1: number, t: number): number {
  return y0 + (y1 - y0) * ((t - t0) / (t1 - t0));
}

/** The bounds of the tube at one time: NaN bounds where the window holds no finite reference value. */
interface Bounds {
  lower: number;
  upper: number;
  /** The reference's own smallest and largest value in the window. */
  low: number;
  high: number;
  hasNaN: boolean;
}

/** The tube of one variable: its window extremes carry over from one chunk to the next. */
export class VariableTube {
  private readonly high = new WindowExtreme(1);
  private readonly low = new WindowExtreme(-1);
  private readonly upperWindow = new WindowExtreme(1);
  private readonly lowerWindow = new WindowExtreme(-1);
  private nanInWindow = 0;
  /** Per-point bounds when the half-height varies (relative to |y|), aligned with the reference rows. */
  private upperRows = new Float64Array(0);
  private lowerRows = new Float64Array(0);
  private readonly bounds: Bounds = { lower: NaN, upper: NaN, low: NaN, high: NaN, hasNaN: false };
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
  /** The constant half-height in use, and whether it is final (not while the range it depends on is still being read). */
  private h: number;
  private final = true;
  private lookupRows: ReferenceRows | null = null;
  private readonly referenceNow = () => (this.lookupRows ? this.referenceAt(this.lookupRows, this.sample.time) : NaN);

  constructor(
    private readonly k: number,
    private readonly height: HalfHeight,
    private readonly halfWidth: number
  ) {
    this.h = height.constant ?? 0;
  }

  /**
   * A constant half-height that may still grow (relative to a range read so far): samples inside
   * it are inside for good; the others wait for the final one (VariableTally.defer).
   */
  setHeight(h: number, final: boolean): void {
    this.h = h;
    this.final = final;
  }

  /** Called when the reference rows were refilled: per-point bounds follow them. */
  rowsChanged(ref: ReferenceRows): void {
    if (this.height.constant !== null) {
      return;
    }
    // The buffer may be longer than the rows it holds (stream.ts reuses it from chunk to chunk).
    const values = ref.values[this.k];
    const count = ref.hi - ref.lo;
    if (this.upperRows.length < count) {
      this.upperRows = new Float64Array(values.length);
      this.lowerRows = new Float64Array(values.length);
    }
    for (let j = 0; j < count; j++) {
      const h = this.height.at(values[j]);
      this.upperRows[j] = values[j] + h;
      this.lowerRows[j] = values[j] - h;
    }
  }

  /**
   * Checks run samples against the tube, from the window `cursor` on; returns where the window
   * ends. `lower`/`upper`, when given, receive the bounds at each sample (for plotting).
   */
  check(
    run: RunRows,
    ref: ReferenceRows,
    cursor: WindowCursor,
    tally: VariableTally,
    lower?: Float64Array,
    upper?: Float64Array
  ): WindowCursor {
    let { first, next } = cursor;
    const w = this.halfWidth;
    const { time: refTime, lo, hi } = ref;
    const values = ref.values[this.k];
    for (let i = run.first; i < run.end; i++) {
      const t = run.time[i];
      const from = t - w;
      const to = t + w;
      while (next < hi && refTime[next] <= to) {
        this.enter(next, values, lo);
        next++;
      }
      while (first < next && refTime[first] < from) {
        if (values[first - lo] !== values[first - lo]) {
          this.nanInWindow--;
        }
        first++;
      }
      this.dropBefore(first);
      const b = this.boundsAt(ref, first, next, from, to);
      if (lower && upper) {
        lower[i - run.first] = b.lower;
        upper[i - run.first] = b.upper;
      }
      this.judge(tally, i, t, run.values[i - run.first], b, ref);
    }
    return { first, next };
  }

  private enter(j: number, values: Float64Array, lo: number): void {
    if (values[j - lo] !== values[j - lo]) {
      this.nanInWindow++;
    }
    this.high.push(j, values, lo);
    this.low.push(j, values, lo);
    if (this.height.constant === null) {
      this.upperWindow.push(j, this.upperRows, lo);
      this.lowerWindow.push(j, this.lowerRows, lo);
    }
  }

  private dropBefore(first: number): void {
    this.high.drop(first);
    this.low.drop(first);
    if (this.height.constant === null) {
      this.upperWindow.drop(first);
      this.lowerWindow.drop(first);
    }
  }

  /** Bounds over the points in the window and the polyline at both of its ends. */
  private boundsAt(ref: ReferenceRows, first: number, next: number, from: number, to: number): Bounds {
    const values = ref.values[this.k];
    const { lo } = ref;
    const b = this.bounds;
    const highAt = this.high.bestIndex();
    const lowAt = this.low.bestIndex();
    b.high = highAt < 0 ? -Infinity : values[highAt - lo];
    b.low = lowAt < 0 ? Infinity : values[lowAt - lo];
    b.hasNaN = this.nanInWindow > 0;
    const varying = this.height.constant === null;
    if (varying) {
      const u = this.upperWindow.bestIndex();
      const l = this.lowerWindow.bestIndex();
      b.upper = u < 0 ? -Infinity : this.upperRows[u - lo];
      b.lower = l < 0 ? Infinity : this.lowerRows[l - lo];
    }
    // The window's ends may fall between two points: the polyline there takes part too.
    this.includeEnd(ref, first - 1, first, from);
    this.includeEnd(ref, next - 1, next, to);
    if (!(b.high >= b.low)) {
      b.upper = NaN;
      b.lower = NaN;
    } else if (!varying) {
      b.upper = b.high + this.h;
      b.lower = b.low - this.h;
    }
    return b;
  }

  /** The polyline at time e when e lies strictly inside the segment from row p to row q. */
  private includeEnd(ref: ReferenceRows, p: number, q: number, e: number): void {
    const { time: refTime, lo, hi } = ref;
    if (p < lo || q >= hi || !(refTime[p] < e && e < refTime[q])) {
      return;
    }
    const values = ref.values[this.k];
    const b = this.bounds;
    const y = lerp(refTime[p], values[p - lo], refTime[q], values[q - lo], e);
    if (y !== y) {
      b.hasNaN = true;
      return;
    }
    b.high = Math.max(b.high, y);
    b.low = Math.min(b.low, y);
    if (this.height.constant === null) {
      b.upper = Math.max(b.upper, lerp(refTime[p], this.upperRows[p - lo], refTime[q], this.upperRows[q - lo], e));
      b.lower = Math.min(b.lower, lerp(refTime[p], this.lowerRows[p - lo], refTime[q], this.lowerRows[q - lo], e));
    }
  }

  private judge(tally: VariableTally, i: number, t: number, x: number, b: Bounds, ref: ReferenceRows): void {
    const s = this.sample;
    s.index = i;
    s.time = t;
    s.value = x;
    s.high = b.high;
    s.low = b.low;
    s.upper = b.upper;
    s.lower = b.lower;
    s.hasNaN = b.hasNaN;
    this.lookupRows = ref;
    if (this.height.constant === null) {
      tally.decided(s, null, this.referenceNow);
    } else if (this.final) {
      tally.decided(s, this.h, this.referenceNow);
    } else if (x !== x ? b.hasNaN : b.high >= b.low && !(x > b.upper) && !(x < b.lower)) {
      tally.surelyInside(s, this.referenceNow);
    } else {
      tally.defer(s, this.referenceNow);
    }
  }

  /** The reference at time t: the last point stamped t (after an event), else the polyline between its neighbours. */
  private referenceAt(ref: ReferenceRows, t: number): number {
    return referenceValueAt(ref.time, (j) => ref.values[this.k][j - ref.lo], ref.lo, ref.hi, t);
  }
}

/** The reference value at time t among rows [lo, hi): see VariableTube.referenceAt. */
export function referenceValueAt(
  time: ArrayLike<number>,
  value: (j: number) => number,
  lo: number,
  hi: number,
  t: number
): number {
  let a = lo;
  let z = hi;
  // Last row stamped <= t.
  while (a < z) {
    const mid = (a + z) >>> 1;
    if (time[mid] <= t) {
      a = mid + 1;
    } else {
      z = mid;
    }
  }
  const j = a - 1;
  if (j < lo) {
    return NaN;
  }
  if (time[j] === t || j + 1 >= hi) {
    return time[j] === t ? value(j) : NaN;
  }
  return lerp(time[j], value(j), time[j + 1], value(j + 1), t);
}
