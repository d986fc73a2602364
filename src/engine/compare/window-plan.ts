/**
 * Where each run sample's time window [t - w, t + w] lies in the reference, for one chunk of run
 * samples. The window depends on time only, so it is found once per chunk and shared by every
 * variable's tube: the two pointers move and the division of the polyline's interpolation at
 * both window ends is done once per sample, not once per sample and variable.
 */
import type { ReferenceRows } from './tube';

/** Marks a window end that lies on a reference point or outside the rows held: no polyline point there. */
export const NO_END = -1;

export interface WindowPlan {
  /** Samples planned (the chunk's run rows). */
  count: number;
  /** `first[s]`, `next[s]`: reference rows [first, next) lie inside sample s's window (global row numbers). */
  first: Int32Array;
  next: Int32Array;
  /**
   * Where t - w falls in the segment from row first - 1 to row first, as the fraction
   * (t - w - t0) / (t1 - t0) that lerp takes, or NO_END where it does not fall strictly inside.
   */
  fromFraction: Float64Array;
  /** The same for t + w in the segment from row next - 1 to row next. */
  toFraction: Float64Array;
}

/** A plan whose columns are reused from chunk to chunk (they grow only when a chunk is larger). */
export function emptyPlan(capacity: number): WindowPlan {
  return {
    count: 0,
    first: new Int32Array(capacity),
    next: new Int32Array(capacity),
    fromFraction: new Float64Array(capacity),
    toFraction: new Float64Array(capacity),
  };
}

function ensureCapacity(plan: WindowPlan, count: number): void {
  if (plan.first.length >= count) {
    return;
  }
  const larger = emptyPlan(count);
  plan.first = larger.first;
  plan.next = larger.next;
  plan.fromFraction = larger.fromFraction;
  plan.toFraction = larger.toFraction;
}

/**
 * The fraction lerp (tube.ts) takes at time e between rows p and q, when e lies strictly inside
 * that segment and both rows are held; NO_END otherwise. Computed with the same operations as
 * lerp, so that y0 + (y1 - y0) * fraction is bit for bit lerp(t0, y0, t1, y1, e).
 */
function fractionAt(refTime: Float64Array, lo: number, hi: number, p: number, q: number, e: number): number {
  if (p < lo || q >= hi) {
    return NO_END;
  }
  const t0 = refTime[p];
  const t1 = refTime[q];
  return t0 < e && e < t1 ? (e - t0) / (t1 - t0) : NO_END;
}

/**
 * Plans run samples [i0, i1) against the reference rows held (`ref.lo` to `ref.hi`), with the
 * window starting at `cursor` (the previous chunk's last window); returns the plan, filled in place.
 */
export function planWindows(
  plan: WindowPlan,
  runTime: Float64Array,
  i0: number,
  i1: number,
  ref: ReferenceRows,
  halfWidth: number,
  cursor: { first: number; next: number }
): WindowPlan {
  const count = i1 - i0;
  ensureCapacity(plan, count);
  const { time: refTime, lo, hi } = ref;
  const { first: firsts, next: nexts, fromFraction, toFraction } = plan;
  let { first, next } = cursor;
  for (let s = 0; s < count; s++) {
    const t = runTime[i0 + s];
    const from = t - halfWidth;
    const to = t + halfWidth;
    while (next < hi && refTime[next] <= to) {
      next++;
    }
    while (first < next && refTime[first] < from) {
      first++;
    }
    firsts[s] = first;
    nexts[s] = next;
    fromFraction[s] = fractionAt(refTime, lo, hi, first - 1, first, from);
    toFraction[s] = fractionAt(refTime, lo, hi, next - 1, next, to);
  }
  plan.count = count;
  return plan;
}
