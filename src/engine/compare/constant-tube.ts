/**
 * The tube of tube.ts for a constant half-height (absolute, or relative to the range: the
 * default), as one tight loop: it runs once per run sample of every variable, so the window's
 * extremes live in local monotone deques and a sample inside the tube costs a few comparisons.
 * Samples outside, NaN and new worst ones go the general way (VariableTally).
 */
import type { Sample, VariableTally } from './tally';
import { referenceValueAt, type ReferenceRows, type RunRows, type WindowCursor } from './tube';

/** tube.ts's lerp, repeated here: a call across modules costs an accessor in the hot loop (tsx, jest). */
function lerp(t0: number, y0: number, t1: number, y1: number, t: number): number {
  return y0 + (y1 - y0) * ((t - t0) / (t1 - t0));
}

/**
 * Widens `extremes` ([high, low, NaN seen]) by the polyline at time `at` when it lies strictly
 * between rows p and q (a window's end between two points).
 */
function widen(
  extremes: Float64Array,
  refTime: Float64Array,
  ys: Float64Array,
  lo: number,
  hi: number,
  p: number,
  q: number,
  at: number
): void {
  if (p >= lo && q < hi && refTime[p] < at && at < refTime[q]) {
    const y = lerp(refTime[p], ys[p - lo], refTime[q], ys[q - lo], at);
    if (y !== y) {
      extremes[2] = 1;
    } else {
      extremes[0] = y > extremes[0] ? y : extremes[0];
      extremes[1] = y < extremes[1] ? y : extremes[1];
    }
  }
}

/** A monotone deque of row indices; `head`/`tail` are copied to locals in the loop and back. */
interface Deque {
  slots: Int32Array;
  head: number;
  tail: number;
}

/** Room for `more` pushes without checks in the loop: live slots moved to the front, grown if needed. */
function reserve(q: Deque, more: number): void {
  const live = q.tail - q.head;
  if (q.tail + more <= q.slots.length) {
    return;
  }
  const slots = live + more > q.slots.length ? new Int32Array(2 * (live + more)) : q.slots;
  slots.set(q.slots.subarray(q.head, q.tail));
  q.slots = slots;
  q.head = 0;
  q.tail = live;
}

export class ConstantTube {
  private readonly high: Deque = { slots: new Int32Array(1024), head: 0, tail: 0 };
  private readonly low: Deque = { slots: new Int32Array(1024), head: 0, tail: 0 };
  private nanInWindow = 0;
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
  private readonly referenceNow = () =>
    this.lookup
      ? referenceValueAt(
          this.lookup.time,
          (j) => this.lookup!.values[this.k][j - this.lookup!.lo],
          this.lookup.lo,
          this.lookup.hi,
          this.sample.time
        )
      : NaN;

  /** `scan`: the widest window holds so few points that scanning them beats keeping deques. */
  constructor(
    private readonly k: number,
    h: number,
    private readonly halfWidth: number,
    private readonly scan: boolean
  ) {
    this.h = h;
  }

  /** See VariableTube.setHeight. */
  setHeight(h: number, final: boolean): void {
    this.h = h;
    this.final = final;
  }

  rowsChanged(): void {}

  /** See VariableTube.check. Windows of a few points are scanned; wider ones keep monotone deques. */
  check(
    run: RunRows,
    ref: ReferenceRows,
    cursor: WindowCursor,
    tally: VariableTally,
    lower?: Float64Array,
    upper?: Float64Array
  ): WindowCursor {
    this.lookup = ref;
    this.plotLower = lower;
    this.plotUpper = upper;
    return this.scan ? this.checkScanning(run, ref, cursor, tally) : this.checkWithDeques(run, ref, cursor, tally);
  }

  private plotLower: Float64Array | undefined;
  private readonly extremes = new Float64Array(3);
  private plotUpper: Float64Array | undefined;

  private checkScanning(run: RunRows, ref: ReferenceRows, cursor: WindowCursor, tally: VariableTally): WindowCursor {
    const w = this.halfWidth;
    const h = this.h;
    const { time: refTime, lo, hi } = ref;
    const ys = ref.values[this.k];
    const { time: runTime, values: xs } = run;
    const plotting = this.plotLower !== undefined;
    let { first, next } = cursor;
    let inside = 0;
    let threshold = tally.insideThreshold();
    const extremes = this.extremes;
    for (let i = run.first; i < run.end; i++) {
      const t = runTime[i];
      const from = t - w;
      const to = t + w;
      while (next < hi && refTime[next] <= to) {
        next++;
      }
      while (first < next && refTime[first] < from) {
        first++;
      }
      let high = -Infinity;
      let low = Infinity;
      let hasNaN = false;
      for (let j = first; j < next; j++) {
        const v = ys[j - lo];
        if (v !== v) {
          hasNaN = true;
        } else {
          high = v > high ? v : high;
          low = v < low ? v : low;
        }
      }
      extremes[0] = high;
      extremes[1] = low;
      extremes[2] = hasNaN ? 1 : 0;
      widen(extremes, refTime, ys, lo, hi, first - 1, first, from);
      widen(extremes, refTime, ys, lo, hi, next - 1, next, to);
      const top = extremes[0];
      const bottom = extremes[1];
      const up = top >= bottom ? top + h : NaN;
      const down = top >= bottom ? bottom - h : NaN;
      if (plotting) {
        this.plotLower![i - run.first] = down;
        this.plotUpper![i - run.first] = up;
      }
      const x = xs[i - run.first];
      // Inside and no closer to a bound than the worst so far: only counted.
      if (x <= up && x >= down && (x > top ? x - top : x < bottom ? bottom - x : 0) <= threshold) {
        inside++;
        continue;
      }
      tally.addChecked(inside);
      inside = 0;
      this.slowPath(tally, i, t, x, top, bottom, up, down, extremes[2] === 1);
      threshold = tally.insideThreshold();
    }
    tally.addChecked(inside);
    return { first, next };
  }

  private checkWithDeques(run: RunRows, ref: ReferenceRows, cursor: WindowCursor, tally: VariableTally): WindowCursor {
    const w = this.halfWidth;
    const h = this.h;
    const { time: refTime, lo, hi } = ref;
    const ys = ref.values[this.k];
    const { time: runTime, values: xs } = run;
    const plotting = this.plotLower !== undefined;
    const hq = this.high;
    const lq = this.low;
    reserve(hq, hi - cursor.next);
    reserve(lq, hi - cursor.next);
    const highSlots = hq.slots;
    const lowSlots = lq.slots;
    let { head: hh, tail: ht } = hq;
    let { head: lh, tail: lt } = lq;
    let { first, next } = cursor;
    let nan = this.nanInWindow;
    let inside = 0;
    let threshold = tally.insideThreshold();
    const extremes = this.extremes;
    for (let i = run.first; i < run.end; i++) {
      const t = runTime[i];
      const from = t - w;
      const to = t + w;
      while (next < hi && refTime[next] <= to) {
        const v = ys[next - lo];
        if (v !== v) {
          nan++;
        } else {
          while (ht > hh && ys[highSlots[ht - 1] - lo] <= v) {
            ht--;
          }
          highSlots[ht++] = next;
          while (lt > lh && ys[lowSlots[lt - 1] - lo] >= v) {
            lt--;
          }
          lowSlots[lt++] = next;
        }
        next++;
      }
      while (first < next && refTime[first] < from) {
        if (ys[first - lo] !== ys[first - lo]) {
          nan--;
        }
        first++;
      }
      while (hh < ht && highSlots[hh] < first) {
        hh++;
      }
      while (lh < lt && lowSlots[lh] < first) {
        lh++;
      }
      const high = hh < ht ? ys[highSlots[hh] - lo] : -Infinity;
      const low = lh < lt ? ys[lowSlots[lh] - lo] : Infinity;
      extremes[0] = high;
      extremes[1] = low;
      extremes[2] = nan > 0 ? 1 : 0;
      widen(extremes, refTime, ys, lo, hi, first - 1, first, from);
      widen(extremes, refTime, ys, lo, hi, next - 1, next, to);
      const top = extremes[0];
      const bottom = extremes[1];
      const up = top >= bottom ? top + h : NaN;
      const down = top >= bottom ? bottom - h : NaN;
      if (plotting) {
        this.plotLower![i - run.first] = down;
        this.plotUpper![i - run.first] = up;
      }
      const x = xs[i - run.first];
      // Inside and no closer to a bound than the worst so far: only counted.
      if (x <= up && x >= down && (x > top ? x - top : x < bottom ? bottom - x : 0) <= threshold) {
        inside++;
        continue;
      }
      tally.addChecked(inside);
      inside = 0;
      this.slowPath(tally, i, t, x, top, bottom, up, down, extremes[2] === 1);
      threshold = tally.insideThreshold();
    }
    tally.addChecked(inside);
    hq.head = hh;
    hq.tail = ht;
    lq.head = lh;
    lq.tail = lt;
    this.nanInWindow = nan;
    return { first, next };
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
