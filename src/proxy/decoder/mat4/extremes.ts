/**
 * Running extremes for exact M4 from block summaries (summarized.ts, edgePieces.ts). The picks are
 * those of m4.ts: strict comparisons in index order, so NaN never wins and ties keep the first
 * sample; callers offer samples, blocks and pieces in index order.
 */
import { NO_POSITION, SUMMARY_BLOCK } from './blockSummary';
import type { SignalSummaries } from './summarized';

// Imported bindings are getters once compiled to CommonJS (as under tsx): these run per block.
const BLOCK = SUMMARY_BLOCK;
const NONE = NO_POSITION;

/**
 * The running minimum and maximum of one bucket and series. These loops run for every bucket of
 * every series: they keep the running values in locals and allocate nothing.
 */
export class Extremes {
  minValue = Infinity;
  maxValue = -Infinity;
  minIndex = -1;
  maxIndex = -1;

  reset(): void {
    this.minValue = Infinity;
    this.maxValue = -Infinity;
    this.minIndex = -1;
    this.maxIndex = -1;
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
    this.keep(minValue, maxValue, minIndex, maxIndex);
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
    this.keep(minValue, maxValue, minIndex, maxIndex);
  }

  /** Coarse blocks `[from, to)`: min, max, min's sample, max's sample each (-1: none). */
  offerCoarse(coarse: Float64Array, negate: boolean, from: number, to: number): void {
    const lowSlot = negate ? 1 : 0;
    const highSlot = 1 - lowSlot;
    const sign = negate ? -1 : 1;
    let minValue = this.minValue;
    let maxValue = this.maxValue;
    let minIndex = this.minIndex;
    let maxIndex = this.maxIndex;
    for (let at = 4 * from; at < 4 * to; at += 4) {
      const low = sign * coarse[at + lowSlot];
      if (low < minValue && coarse[at + 2 + lowSlot] >= 0) {
        minValue = low;
        minIndex = coarse[at + 2 + lowSlot];
      }
      const high = sign * coarse[at + highSlot];
      if (high > maxValue && coarse[at + 2 + highSlot] >= 0) {
        maxValue = high;
        maxIndex = coarse[at + 2 + highSlot];
      }
    }
    this.keep(minValue, maxValue, minIndex, maxIndex);
  }

  /**
   * A piece's extremes as edgePieces.ts keeps them: min, max, min's sample, max's sample (-1:
   * none) at `pieces[at]`..., of the signal as stored.
   */
  offerPiece(pieces: Float64Array, at: number, negate: boolean): void {
    const lowSlot = negate ? 1 : 0;
    const highSlot = 1 - lowSlot;
    const sign = negate ? -1 : 1;
    const low = sign * pieces[at + lowSlot];
    if (low < this.minValue && pieces[at + 2 + lowSlot] >= 0) {
      this.minValue = low;
      this.minIndex = pieces[at + 2 + lowSlot];
    }
    const high = sign * pieces[at + highSlot];
    if (high > this.maxValue && pieces[at + 2 + highSlot] >= 0) {
      this.maxValue = high;
      this.maxIndex = pieces[at + 2 + highSlot];
    }
  }

  /** Writes min, max, min's sample and max's sample at `into[at]`... */
  store(into: Float64Array, at: number): void {
    into[at] = this.minValue;
    into[at + 1] = this.maxValue;
    into[at + 2] = this.minIndex;
    into[at + 3] = this.maxIndex;
  }

  private keep(minValue: number, maxValue: number, minIndex: number, maxIndex: number): void {
    this.minValue = minValue;
    this.maxValue = maxValue;
    this.minIndex = minIndex;
    this.maxIndex = maxIndex;
  }
}
