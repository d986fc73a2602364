/**
 * Running extremes for exact M4 from block summaries (summarized.ts, edgePieces.ts). The picks are
 * those of m4.ts: strict comparisons in index order, so NaN never wins and ties keep the first
 * sample; callers offer samples, blocks and pieces in index order.
 *
 * Coarse blocks and pieces carry the times of their extremes; samples and blocks do not, and their
 * time (NaN until then) is looked up once the bucket is done. Time columns of summarized reads
 * never hold NaN (bucketStarts), so NaN cannot be mistaken for a time.
 */
import type { PointList } from '../../query/m4-stream';
import { COARSE_NUMBERS, NO_POSITION, SUMMARY_BLOCK } from './blockSummary';
import type { SignalSummaries } from './summaryTypes';

/**
 * Numbers store() writes: min, max, min's sample, max's sample (-1: none), min's time, max's time.
 * A coarse block (coarsen) has the same layout, so offerCoarse and offerPiece read alike.
 */
export const EXTREMES = COARSE_NUMBERS;

// Imported bindings are getters once compiled to CommonJS (as under tsx): these run per block.
const BLOCK = SUMMARY_BLOCK;
const NONE = NO_POSITION;
const COARSE = COARSE_NUMBERS;

/**
 * The running minimum and maximum of one bucket and series. These loops run for every bucket of
 * every series: they keep the running values in locals and allocate nothing.
 */
export class Extremes {
  minValue = Infinity;
  maxValue = -Infinity;
  minIndex = -1;
  maxIndex = -1;
  minTime = NaN;
  maxTime = NaN;

  reset(): void {
    this.minValue = Infinity;
    this.maxValue = -Infinity;
    this.minIndex = -1;
    this.maxIndex = -1;
    this.minTime = NaN;
    this.maxTime = NaN;
  }

  /** Samples `[start, end)`, whose values are `values[start + shift]`...; in index order. */
  scan(values: Float64Array, start: number, end: number, shift: number): void {
    let minValue = this.minValue;
    let maxValue = this.maxValue;
    let minIndex = this.minIndex;
    let maxIndex = this.maxIndex;
    for (let i = start; i < end; i++) {
      const v = values[i + shift];
      if (v < minValue) {
        minValue = v;
        minIndex = i;
      }
      if (v > maxValue) {
        maxValue = v;
        maxIndex = i;
      }
    }
    this.keepUntimed(minValue, maxValue, minIndex, maxIndex);
  }

  /** Summary blocks `[from, to)` of `summaries`, in index order. A negated signal's minimum is its stored maximum, negated, at the same sample. */
  offerFine(summaries: SignalSummaries, negate: boolean, from: number, to: number): void {
    const { extremes, positions, firstBlock } = summaries;
    const lowSlot = negate ? 1 : 0;
    const highSlot = 1 - lowSlot;
    const sign = negate ? -1 : 1;
    let minValue = this.minValue;
    let maxValue = this.maxValue;
    let minIndex = this.minIndex;
    let maxIndex = this.maxIndex;
    for (let block = from, at = 2 * (from - firstBlock); block < to; block++, at += 2) {
      const low = sign * extremes[at + lowSlot];
      if (low < minValue && positions[at + lowSlot] !== NONE) {
        minValue = low;
        minIndex = block * BLOCK + positions[at + lowSlot];
      }
      const high = sign * extremes[at + highSlot];
      if (high > maxValue && positions[at + highSlot] !== NONE) {
        maxValue = high;
        maxIndex = block * BLOCK + positions[at + highSlot];
      }
    }
    this.keepUntimed(minValue, maxValue, minIndex, maxIndex);
  }

  /** Coarse blocks `[from, to)` as coarsen() lays them out. */
  offerCoarse(coarse: Float64Array, negate: boolean, from: number, to: number): void {
    const lowSlot = negate ? 1 : 0;
    const highSlot = 1 - lowSlot;
    const sign = negate ? -1 : 1;
    let minValue = this.minValue;
    let maxValue = this.maxValue;
    let minIndex = this.minIndex;
    let maxIndex = this.maxIndex;
    let minTime = this.minTime;
    let maxTime = this.maxTime;
    for (let at = COARSE * from; at < COARSE * to; at += COARSE) {
      const low = sign * coarse[at + lowSlot];
      if (low < minValue && coarse[at + 2 + lowSlot] >= 0) {
        minValue = low;
        minIndex = coarse[at + 2 + lowSlot];
        minTime = coarse[at + 4 + lowSlot];
      }
      const high = sign * coarse[at + highSlot];
      if (high > maxValue && coarse[at + 2 + highSlot] >= 0) {
        maxValue = high;
        maxIndex = coarse[at + 2 + highSlot];
        maxTime = coarse[at + 4 + highSlot];
      }
    }
    this.keep(minValue, maxValue, minIndex, maxIndex);
    this.minTime = minTime;
    this.maxTime = maxTime;
  }

  /**
   * A piece's extremes as store() wrote them at `pieces[at]`..., of the signal as stored: a
   * negated signal's minimum is the stored maximum, negated, at the same sample.
   */
  offerPiece(pieces: Float64Array, at: number, negate: boolean): void {
    const lowSlot = negate ? 1 : 0;
    const highSlot = 1 - lowSlot;
    const sign = negate ? -1 : 1;
    const low = sign * pieces[at + lowSlot];
    if (low < this.minValue && pieces[at + 2 + lowSlot] >= 0) {
      this.minValue = low;
      this.minIndex = pieces[at + 2 + lowSlot];
      this.minTime = pieces[at + 4 + lowSlot];
    }
    const high = sign * pieces[at + highSlot];
    if (high > this.maxValue && pieces[at + 2 + highSlot] >= 0) {
      this.maxValue = high;
      this.maxIndex = pieces[at + 2 + highSlot];
      this.maxTime = pieces[at + 4 + highSlot];
    }
  }

  /** Writes the EXTREMES numbers at `into[at]`..., their times looked up in `time` where unknown. */
  store(into: Float64Array, at: number, time: Float64Array): void {
    into[at] = this.minValue;
    into[at + 1] = this.maxValue;
    into[at + 2] = this.minIndex;
    into[at + 3] = this.maxIndex;
    into[at + 4] = this.timeOfMin(time);
    into[at + 5] = this.timeOfMax(time);
  }

  /** Pushes the minimum and the maximum that exist to `out`, in index order (the minimum first at a tie), as M4 emits them. */
  emitTo(out: PointList, time: Float64Array): void {
    const { minIndex, maxIndex } = this;
    // -1 (none) sorts first, so only the first of the two can be none when they differ.
    if (minIndex <= maxIndex) {
      if (minIndex >= 0) {
        out.push(minIndex, this.timeOfMin(time), this.minValue);
      }
      if (maxIndex >= 0) {
        out.push(maxIndex, this.timeOfMax(time), this.maxValue);
      }
    } else {
      if (maxIndex >= 0) {
        out.push(maxIndex, this.timeOfMax(time), this.maxValue);
      }
      out.push(minIndex, this.timeOfMin(time), this.minValue);
    }
  }

  private timeOfMin(time: Float64Array): number {
    const t = this.minTime;
    return !Number.isNaN(t) || this.minIndex < 0 ? t : time[this.minIndex];
  }

  private timeOfMax(time: Float64Array): number {
    const t = this.maxTime;
    return !Number.isNaN(t) || this.maxIndex < 0 ? t : time[this.maxIndex];
  }

  /** Keeps extremes found by samples or blocks: where they changed, their times are unknown. */
  private keepUntimed(minValue: number, maxValue: number, minIndex: number, maxIndex: number): void {
    if (minIndex !== this.minIndex) {
      this.minTime = NaN;
    }
    if (maxIndex !== this.maxIndex) {
      this.maxTime = NaN;
    }
    this.keep(minValue, maxValue, minIndex, maxIndex);
  }

  private keep(minValue: number, maxValue: number, minIndex: number, maxIndex: number): void {
    this.minValue = minValue;
    this.maxValue = maxValue;
    this.minIndex = minIndex;
    this.maxIndex = maxIndex;
  }
}
