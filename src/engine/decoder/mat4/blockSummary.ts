/**
 * Per-block extremes of a stored column: for every block of SUMMARY_BLOCK samples its minimum and
 * maximum with their positions. Exact M4 over a range then reads one summary per block instead of
 * every sample, plus the raw samples of the few blocks a bucket edge cuts (summarized.ts).
 *
 * In the column store, after all columns, each signal has `extremes` (min, max per block, in the
 * store's precision) followed by `positions` (min and max offsets inside the block, one byte each;
 * NO_POSITION when the block has no such extreme, e.g. only NaN). Extremes follow m4.ts: strict
 * comparisons, so NaN never wins and ties keep the first sample.
 */
import { ElementType, elementSize } from './records';

/**
 * Samples per block. The block size trades summary bytes (18 per block of float64) against raw
 * bytes read per bucket edge (one block of rows): on the long 1 GB shape (20 of 100 signals,
 * 500 buckets) 32 read the fewest bytes in total.
 */
export const SUMMARY_BLOCK = 32;
export const NO_POSITION = 255;

export type SummaryStoreType = ElementType.Float32 | ElementType.Float64;
export type SummaryArray = Float32Array | Float64Array;

export function blockCount(samples: number): number {
  return Math.ceil(samples / SUMMARY_BLOCK);
}

/** The first block that starts at or after sample `index`. */
export function firstFullBlock(index: number): number {
  return Math.ceil(index / SUMMARY_BLOCK);
}

/** The end of the blocks that end at or before sample `index` (the last block ends with the samples). */
export function endFullBlock(index: number, samples: number): number {
  return index >= samples ? blockCount(samples) : Math.floor(index / SUMMARY_BLOCK);
}

export function blockStart(block: number, samples: number): number {
  return Math.min(block * SUMMARY_BLOCK, samples);
}

export function summaryBytesPerSignal(samples: number, storeType: SummaryStoreType): number {
  return blockCount(samples) * 2 * (elementSize(storeType) + 1);
}

/** Where one signal's summaries of blocks `[firstBlock, endBlock)` are, relative to the summaries' start. */
export function summarySpans(
  signal: number,
  samples: number,
  storeType: SummaryStoreType,
  firstBlock: number,
  endBlock: number
): { extremesAt: number; extremesBytes: number; positionsAt: number; positionsBytes: number } {
  const blocks = blockCount(samples);
  const valueBytes = elementSize(storeType);
  const signalAt = signal * summaryBytesPerSignal(samples, storeType);
  return {
    extremesAt: signalAt + firstBlock * 2 * valueBytes,
    extremesBytes: (endBlock - firstBlock) * 2 * valueBytes,
    positionsAt: signalAt + blocks * 2 * valueBytes + firstBlock * 2,
    positionsBytes: (endBlock - firstBlock) * 2,
  };
}

/** Fills `extremes` (min, max per block) and `positions` for `column`, which starts at a block boundary. */
export function summarizeColumn(column: ArrayLike<number>, extremes: SummaryArray, positions: Uint8Array): void {
  const blocks = blockCount(column.length);
  for (let k = 0; k < blocks; k++) {
    const start = k * SUMMARY_BLOCK;
    const end = Math.min(start + SUMMARY_BLOCK, column.length);
    let minValue = Infinity;
    let maxValue = -Infinity;
    let minAt = NO_POSITION;
    let maxAt = NO_POSITION;
    for (let i = start; i < end; i++) {
      const v = column[i];
      if (v < minValue) {
        minValue = v;
        minAt = i - start;
      }
      if (v > maxValue) {
        maxValue = v;
        maxAt = i - start;
      }
    }
    extremes[2 * k] = minValue;
    extremes[2 * k + 1] = maxValue;
    positions[2 * k] = minAt;
    positions[2 * k + 1] = maxAt;
  }
}

/**
 * Blocks per coarse block of the summaries kept in memory (summaryMemory.ts). A bucket of the
 * long 1 GB shape spans about 78 blocks; its middle is then about 4 coarse summaries, and the
 * blocks at its edges go into the pieces kept per range (edgePieces.ts). 8, 16 and 32 measured
 * alike within the noise (repeated reads of 20 variables: medians 3.8-6.4 ms); 16 holds 1 % of the
 * data in memory.
 */
export const COARSE_BLOCKS = 16;

/** Numbers per coarse block: min, max, min's sample, max's sample, min's time, max's time. */
export const COARSE_NUMBERS = 6;

/**
 * Extremes of groups of COARSE_BLOCKS blocks, COARSE_NUMBERS per group: min, max, the sample index
 * of each (-1 when the group has none, e.g. only NaN) and its time (NaN then). Same picks as
 * summarizeColumn: strict comparisons in index order, so ties keep the first sample. The times are
 * kept because looking them up per bucket was a third of a read: a cache miss each, in a time
 * column of 10 MB.
 */
export function coarsen(
  extremes: SummaryArray,
  positions: Uint8Array,
  blocks: number,
  time: Float64Array
): Float64Array {
  const groups = Math.ceil(blocks / COARSE_BLOCKS);
  const coarse = new Float64Array(COARSE_NUMBERS * groups);
  for (let g = 0; g < groups; g++) {
    let [minValue, maxValue, minAt, maxAt] = [Infinity, -Infinity, -1, -1];
    for (let b = g * COARSE_BLOCKS; b < Math.min(blocks, (g + 1) * COARSE_BLOCKS); b++) {
      if (extremes[2 * b] < minValue && positions[2 * b] !== NO_POSITION) {
        minValue = extremes[2 * b];
        minAt = b * SUMMARY_BLOCK + positions[2 * b];
      }
      if (extremes[2 * b + 1] > maxValue && positions[2 * b + 1] !== NO_POSITION) {
        maxValue = extremes[2 * b + 1];
        maxAt = b * SUMMARY_BLOCK + positions[2 * b + 1];
      }
    }
    const [minTime, maxTime] = [minAt >= 0 ? time[minAt] : NaN, maxAt >= 0 ? time[maxAt] : NaN];
    coarse.set([minValue, maxValue, minAt, maxAt, minTime, maxTime], COARSE_NUMBERS * g);
  }
  return coarse;
}
