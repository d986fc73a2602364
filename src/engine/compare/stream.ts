/**
 * The comparison's passes over both files, in chunks of rows: memory holds both time columns, one
 * chunk of run rows and the reference rows the tube needs for it (the chunk's span widened by the
 * time tolerance), never whole value columns.
 */
import type { ResultFile, VariableInfo } from '../decoder';
import { firstAtOrAfter } from '../query/m4';
import type { ComparisonPlot } from './plot';
import type { VariableTally } from './tally';
import { halfHeight, needsRange } from './tolerances';
import { ConstantTube, windowExtremes } from './constant-tube';
import { VariableTube, type ReferenceRows, type WindowCursor } from './tube';
import type { Interval, Tolerances } from './types';
import { emptyPlan, planWindows } from './window-plan';

type Tube = VariableTube | ConstantTube;

/** Windows of at most this many reference points are scanned point by point (see ConstantTube). */
const SCANNED_WINDOW = 8;

/** Rows of run samples read at once; the reference is read in pieces of about the same size. */
export const CHUNK_ROWS = 65_536;

/** Samples (of all variables) that may wait for the final half-height before the range is read in a pass of its own instead. */
const DEFERRED_BUDGET = 1 << 20;

/** Too many samples waited for the half-height: the caller compares again with the range read first. */
export class DeferralOverflow extends Error {
  constructor() {
    super('too many samples waited for the tube height');
  }
}

export interface StreamInput {
  run: ResultFile;
  reference: ResultFile;
  runVariables: VariableInfo[];
  referenceVariables: VariableInfo[];
  runTime: Float64Array;
  referenceTime: Float64Array;
  compared: Interval;
  halfWidth: number;
  tolerances: Tolerances;
  tallies: VariableTally[];
  plot?: ComparisonPlot;
  signal?: AbortSignal;
  chunkRows?: number;
  /**
   * Read the reference's range in a pass of its own before checking (needed to plot the tube;
   * the fallback when deferring overflows). Otherwise a tube relative to the range is checked in
   * the same pass that reads the range: samples inside the tube as the range read so far makes
   * it are inside for good (the tube only grows), the others are judged at the end.
   */
  rangeFirst?: boolean;
}

/** First index in `[from, length)` whose time is > t. */
export function firstAfter(time: ArrayLike<number>, t: number, from = 0): number {
  let lo = from;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new DOMException('the comparison was aborted', 'AbortError');
  }
}

/**
 * The reference's range (max - min of its finite values) over rows `[first, end)`, per variable:
 * a pass of its own, as the tube's height must be known before the first sample is checked.
 */
async function referenceRanges(input: StreamInput, first: number, end: number, chunk: number): Promise<number[]> {
  const count = input.referenceVariables.length;
  const min = new Float64Array(count).fill(Infinity);
  const max = new Float64Array(count).fill(-Infinity);
  for (let j = first; j < end; j += chunk) {
    throwIfAborted(input.signal);
    const columns = await input.reference.readValues(input.referenceVariables, j, Math.min(end, j + chunk));
    columns.forEach((column, k) => {
      let low = min[k];
      let high = max[k];
      for (let r = 0; r < column.length; r++) {
        const v = column[r];
        low = v < low ? v : low;
        high = v > high ? v : high;
      }
      min[k] = low;
      max[k] = high;
    });
  }
  return Array.from(max, (high, k) => (high >= min[k] ? high - min[k] : 0));
}

/** The most reference rows any window of the tube holds (two pointers over the time column). */
function widestWindow(time: Float64Array, first: number, end: number, halfWidth: number): number {
  let widest = 1;
  let j = first;
  for (let i = first; i < end; i++) {
    while (time[j] < time[i] - 2 * halfWidth) {
      j++;
    }
    widest = Math.max(widest, i - j + 1);
  }
  return widest;
}

/**
 * Runs the check of every variable over the compared span; results land in `input.tallies`.
 * Returns each variable's constant half-height (null where it varies along the reference).
 */
export async function streamComparison(input: StreamInput): Promise<Array<number | null>> {
  const { runTime, referenceTime: refTime, compared, halfWidth: w, signal, tolerances } = input;
  const chunk = input.chunkRows ?? CHUNK_ROWS;
  const runFirst = firstAtOrAfter(runTime, compared.from, 0);
  const runEnd = firstAfter(runTime, compared.to, runFirst);
  const used = { first: firstAtOrAfter(refTime, compared.from - w, 0), end: firstAfter(refTime, compared.to + w) };
  const deferring = needsRange(tolerances) && !input.rangeFirst;
  const ranges = needsRange(tolerances) && !deferring ? await referenceRanges(input, used.first, used.end, chunk) : [];
  const widest = widestWindow(refTime, used.first, used.end, w);
  const extremes = windowExtremes(Math.min(chunk, runEnd - runFirst));
  const tubes = input.referenceVariables.map((_, k): Tube => {
    const height = halfHeight(tolerances, ranges[k] ?? 0);
    return height.constant === null
      ? new VariableTube(k, height, w)
      : new ConstantTube(k, height.constant, widest <= SCANNED_WINDOW, extremes);
  });
  const capacity = widest + 2 * chunk;
  const rows = new ReferenceBuffer(input, tubes, Math.max(0, used.first - 1), chunk, used, capacity + 2);
  const plan = emptyPlan(Math.min(chunk, runEnd - runFirst));
  const lower = input.plot ? input.runVariables.map(() => new Float64Array(chunk)) : [];
  const upper = input.plot ? input.runVariables.map(() => new Float64Array(chunk)) : [];
  let cursor: WindowCursor = { first: used.first, next: used.first };
  for (let i0 = runFirst; i0 < runEnd;) {
    throwIfAborted(signal);
    const needLo = Math.max(0, Math.min(firstAtOrAfter(refTime, runTime[i0] - w, 0), cursor.first) - 1);
    // The last run time whose window fits in the rows a chunk may hold; no limit once those reach
    // the reference's end (else the run's last samples, within w of it, were read one by one).
    const reach = needLo + capacity >= refTime.length ? Infinity : refTime[needLo + capacity - 1] - w;
    const i1 = Math.max(i0 + 1, Math.min(runEnd, i0 + chunk, firstAfter(runTime, reach, i0)));
    const needHi = Math.min(refTime.length, firstAfter(refTime, runTime[i1 - 1] + w, cursor.next) + 1);
    await rows.cover(needLo, needHi);
    const values = await input.run.readValues(input.runVariables, i0, i1);
    throwIfAborted(signal);
    if (deferring) {
      tubes.forEach((tube, k) => tube.setHeight(halfHeight(tolerances, rows.rangeOf(k)).constant ?? 0, false));
    }
    planWindows(plan, runTime, i0, i1, rows.rows, w, cursor);
    tubes.forEach((tube, k) => {
      const run = { time: runTime, first: i0, end: i1, values: values[k] };
      if (tube instanceof ConstantTube) {
        tube.check(plan, cursor, run, rows.rows, input.tallies[k], lower[k], upper[k]);
      } else {
        tube.check(run, rows.rows, cursor, input.tallies[k], lower[k], upper[k]);
      }
    });
    input.plot?.feedRun(i0, i1, values, lower, upper);
    cursor = { first: plan.first[plan.count - 1], next: plan.next[plan.count - 1] };
    i0 = i1;
    if (deferring && input.tallies.reduce((sum, tally) => sum + tally.deferredCount, 0) > DEFERRED_BUDGET) {
      throw new DeferralOverflow();
    }
  }
  // Reference rows after the last window (a run whose last samples lie before the reference's end).
  await rows.drain(used.end);
  if (!deferring) {
    return tubes.map((_, k) => halfHeight(tolerances, ranges[k] ?? 0).constant);
  }
  return input.tallies.map((tally, k) => {
    const h = halfHeight(tolerances, rows.rangeOf(k)).constant ?? 0;
    tally.settle(h);
    return h;
  });
}

/**
 * The reference rows the current chunk needs, refilled as the chunks move on. The rows live in
 * one buffer per variable, reused from chunk to chunk (the rows still needed move to its front):
 * a fresh buffer per chunk cost a copy anyway, and garbage collection besides.
 */
class ReferenceBuffer {
  readonly rows: ReferenceRows;

  private readonly min: Float64Array;
  private readonly max: Float64Array;

  /**
   * `start`: the first row any window needs; `used`: the rows the tube is built from (their range
   * is tracked); `capacity`: the rows a chunk needs at most, as a rule (the buffers grow if not).
   */
  constructor(
    private readonly input: StreamInput,
    private readonly tubes: Tube[],
    start: number,
    private readonly chunk: number,
    private readonly used: { first: number; end: number },
    capacity: number
  ) {
    const rows = Math.max(1, Math.min(capacity, used.end - start + 1));
    this.rows = {
      time: input.referenceTime,
      lo: start,
      hi: start,
      values: input.referenceVariables.map(() => new Float64Array(rows)),
    };
    this.min = new Float64Array(tubes.length).fill(Infinity);
    this.max = new Float64Array(tubes.length).fill(-Infinity);
  }

  /** The range (max - min of the finite values) of variable k over the used rows read so far. */
  rangeOf(k: number): number {
    return this.max[k] >= this.min[k] ? this.max[k] - this.min[k] : 0;
  }

  /**
   * Holds rows `[lo, hi)` afterwards (`lo` never moves back); rows read before are kept, not read
   * again. Every row is read once, in order, even where no run sample needs it (a gap in the
   * run): the plot and the NaN count see all of them.
   */
  async cover(lo: number, hi: number): Promise<void> {
    const rows = this.rows;
    if (lo >= rows.lo && hi <= rows.hi) {
      return;
    }
    await this.skipTo(lo);
    const readFrom = Math.max(lo, rows.hi);
    const fresh =
      hi > readFrom ? await this.input.reference.readValues(this.input.referenceVariables, readFrom, hi) : [];
    const held = rows.hi - rows.lo;
    const keep = Math.max(0, rows.hi - Math.max(lo, rows.lo));
    const count = keep + Math.max(0, hi - readFrom);
    rows.values = rows.values.map((buffer, k) => {
      const target = count > buffer.length ? new Float64Array(Math.max(count, 2 * buffer.length)) : buffer;
      target.copyWithin(0, held - keep, held);
      if (target !== buffer) {
        target.set(buffer.subarray(held - keep, held));
      }
      if (fresh[k]) {
        target.set(fresh[k], keep);
      }
      return target;
    });
    rows.lo = readFrom - keep;
    rows.hi = Math.max(hi, rows.hi);
    if (fresh.length > 0) {
      this.countNaN(readFrom, hi, fresh);
      this.input.plot?.feedReference(readFrom, hi, fresh, readFrom);
    }
    // Per-point bounds follow the rows (a constant tube has none).
    this.tubes.forEach((tube) => (tube instanceof VariableTube ? tube.rowsChanged(rows) : undefined));
  }

  /** Reads the rows up to `end` that no window needed, for the plot and the NaN count. */
  async drain(end: number): Promise<void> {
    await this.skipTo(end);
  }

  /** Rows before `lo` that no window needs: seen for the plot and the NaN count, then dropped. */
  private async skipTo(lo: number): Promise<void> {
    const rows = this.rows;
    for (let j = rows.hi; j < lo; j += this.chunk) {
      const end = Math.min(lo, j + this.chunk);
      const fresh = await this.input.reference.readValues(this.input.referenceVariables, j, end);
      this.countNaN(j, end, fresh);
      this.input.plot?.feedReference(j, end, fresh, j);
    }
    if (lo > rows.hi) {
      rows.lo = lo;
      rows.hi = lo;
    }
  }

  /** Reference NaNs inside the compared span, and the range of the used rows: each row is seen once. */
  private countNaN(first: number, end: number, fresh: Float64Array[]): void {
    const { referenceTime: time, compared } = this.input;
    const usedFirst = Math.max(first, this.used.first) - first;
    const usedEnd = Math.min(end, this.used.end) - first;
    const spanFirst = Math.max(usedFirst, firstAtOrAfter(time, compared.from, first) - first);
    const spanEnd = Math.min(usedEnd, firstAfter(time, compared.to, spanFirst + first) - first);
    const extremes = this.extremes;
    for (let k = 0; k < fresh.length; k++) {
      extremes[0] = this.min[k];
      extremes[1] = this.max[k];
      widenRange(fresh[k], usedFirst, usedEnd, extremes);
      this.min[k] = extremes[0];
      this.max[k] = extremes[1];
      this.input.tallies[k].countReferenceNaN(extremes[2] > 0 ? countNaN(fresh[k], spanFirst, spanEnd) : 0);
    }
  }

  private readonly extremes = new Float64Array(3);
}

/**
 * Widens `extremes` ([min, max]) by the finite values of `column[from, to)`; `extremes[2]` is set
 * to 1 when a NaN is among them (0 else), so that the rare column holding one is counted apart.
 */
function widenRange(column: Float64Array, from: number, to: number, extremes: Float64Array): void {
  let low = extremes[0];
  let high = extremes[1];
  let nan = 0;
  for (let j = from; j < to; j++) {
    const v = column[j];
    if (v !== v) {
      nan = 1;
    } else {
      low = v < low ? v : low;
      high = v > high ? v : high;
    }
  }
  extremes[0] = low;
  extremes[1] = high;
  extremes[2] = nan;
}

function countNaN(column: Float64Array, from: number, to: number): number {
  let nan = 0;
  for (let j = from; j < to; j++) {
    nan += column[j] !== column[j] ? 1 : 0;
  }
  return nan;
}
