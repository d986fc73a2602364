/**
 * Exact M4 of a binTrans trajectory from the column store's block summaries (blockSummary.ts).
 *
 * A bucket's first and last samples, and the samples of the blocks its edges cut, are read raw;
 * the blocks wholly inside it contribute their stored extremes. The raw samples come from the
 * result file's own rows: there one time step of every signal is contiguous, so the block around
 * a bucket edge is a single small read for all requested signals at once, where the column store
 * would need one read per signal. The picks are those of m4.ts and M4Stream (strict comparisons
 * in index order: NaN never wins, ties keep the first sample).
 *
 * Measured on the long 1 GB shape (20 of 100 signals, 2,000 points): 1.25 M samples per signal
 * are replaced by about 40,000 summaries and 500 reads of 25 KB.
 */
import { firstAtOrAfter } from '../../query/m4';
import { FourPicks, PointList, bucketEnd, m4Plan } from '../../query/m4-stream';
import type { PacedReader } from '../../util/paced-read';
import { arenaBytes, type Arena } from '../../util/scratch';
import type { SampleRange } from '../clip';
import { NO_POSITION, SUMMARY_BLOCK, blockCount, type SummaryArray } from './blockSummary';
import { gatherRows } from './elements';
import type { DataMatrix } from './matrix';
import { elementSize } from './records';
import type { SampledSeries, SampledSignal } from './sampled';

/** Row indices `[start, end)` read raw in one go. */
interface Span {
  start: number;
  end: number;
}

/** What a summarized read needs: bucket starts (plus the range end), raw spans and the summary blocks. */
export interface SummarizedPlan {
  starts: Int32Array;
  spans: Span[];
  rawRows: number;
  firstBlock: number;
  endBlock: number;
}

/** One signal's summaries of blocks `[firstBlock, endBlock)`: min, max per block and their offsets in it. */
export interface SignalSummaries {
  extremes: SummaryArray;
  positions: Uint8Array;
}

/**
 * The cost of one read, in bytes copied: about 4 us per system call on the test machine, where
 * the page cache copies about 4 GB/s.
 */
const READ_COST_BYTES = 16 * 1024;
/** Scanning a sample in M4 costs about as much as copying 8 bytes of it. */
const SCAN_COST_BYTES = 8;
/** Rows read per system call at most (and so the chunk buffer's size). */
const CHUNK_BYTES = 512 * 1024;

// Imported bindings are getters once compiled to CommonJS (as under tsx): these run per bucket.
const BLOCK = SUMMARY_BLOCK;
const NONE = NO_POSITION;

const firstFullBlock = (index: number) => Math.ceil(index / BLOCK);
const endFullBlock = (index: number, samples: number) => (index >= samples ? blockCount(samples) : Math.floor(index / BLOCK));
const blockStart = (block: number, samples: number) => Math.min(block * BLOCK, samples);

/** Bucket starts as M4Stream cuts them, found by binary search: `time` must be non-decreasing and without NaN. */
export function bucketStarts(time: Float64Array, range: SampleRange, maxPoints: number): Int32Array {
  const plan = m4Plan(time[range.first], time[range.end - 1], maxPoints);
  const starts = [range.first];
  let at = range.first;
  for (let b = 0; b < plan.buckets - 1 && at < range.end; b++) {
    const next = firstAtOrAfter(time, bucketEnd(plan, b), at, range.end);
    if (next > at && next < range.end) {
      starts.push(next);
    }
    at = next;
  }
  starts.push(range.end);
  return Int32Array.from(starts);
}

/** Raw pieces of each bucket (its edges' cut blocks, or all of it when no block fits inside), merged into spans. */
export function planSummarized(time: Float64Array, range: SampleRange, maxPoints: number, samples: number, rowBytes: number): SummarizedPlan {
  const starts = bucketStarts(time, range, maxPoints);
  const spans: Span[] = [];
  // Rows this close are read together: a second system call costs more than the rows between.
  const gapRows = Math.floor(READ_COST_BYTES / Math.max(rowBytes, 1));
  const addPiece = (start: number, end: number) => {
    const last = spans[spans.length - 1];
    if (last && start <= last.end + gapRows) {
      last.end = Math.max(last.end, end);
    } else {
      spans.push({ start, end });
    }
  };
  for (let j = 0; j + 1 < starts.length; j++) {
    const [a, b] = [starts[j], starts[j + 1]];
    const [from, to] = [firstFullBlock(a), endFullBlock(b, samples)];
    if (from < to) {
      addPiece(a, Math.max(blockStart(from, samples), a + 1));
      addPiece(Math.min(blockStart(to, samples), b - 1), b);
    } else {
      addPiece(a, b);
    }
  }
  const rawRows = spans.reduce((sum, span) => sum + span.end - span.start, 0);
  const firstBlock = firstFullBlock(range.first);
  return { starts, spans, rawRows, firstBlock, endBlock: Math.max(firstBlock, endFullBlock(range.end, samples)) };
}

/** Scratch bytes for the summaries of `series` signals and a sampleSummarized over them. */
export function summarizedScratchBytes(plan: SummarizedPlan, series: number, rowBytes: number, storeBytes: number): number {
  const blocks = plan.endBlock - plan.firstBlock;
  const summaries = Array.from({ length: series }, () => [blocks * 2 * storeBytes, blocks * 2]).flat();
  return arenaBytes([...summaries, ...RawRows.scratchBytes(plan, series, rowBytes)]);
}

/** Whether the plan reads fewer bytes (counting system calls and scanning) than streaming the stored columns. */
export function summariesPayOff(plan: SummarizedPlan, range: SampleRange, series: number, matrix: DataMatrix, storeBytes: number): boolean {
  const rowBytes = matrix.signals * elementSize(matrix.elementType);
  const summaryBytes = (plan.endBlock - plan.firstBlock) * 2 * (storeBytes + 1);
  const planned =
    plan.rawRows * rowBytes + plan.spans.length * READ_COST_BYTES + series * (summaryBytes + 2 * READ_COST_BYTES + (plan.starts.length - 1) * SCAN_COST_BYTES);
  const count = range.end - range.first;
  const streamed = series * (count * (storeBytes + SCAN_COST_BYTES) + Math.ceil((count * storeBytes) / CHUNK_BYTES) * READ_COST_BYTES);
  return planned < streamed;
}

/** Rows per read: a whole span, up to CHUNK_BYTES. */
function chunkRowsOf(plan: SummarizedPlan, rowBytes: number): number {
  const longestSpan = plan.spans.reduce((longest, span) => Math.max(longest, span.end - span.start), 0);
  return Math.max(1, Math.min(longestSpan, Math.floor(CHUNK_BYTES / rowBytes)));
}

/** The raw rows of every span, gathered per wanted signal and negated where the variable is. */
class RawRows {
  private readonly offsets: Int32Array;
  readonly values: Float64Array[];

  private constructor(
    private readonly spans: Span[],
    rows: number,
    series: number,
    arena: Arena
  ) {
    this.offsets = new Int32Array(spans.length);
    let offset = 0;
    spans.forEach((span, s) => {
      this.offsets[s] = offset;
      offset += span.end - span.start;
    });
    this.values = Array.from({ length: series }, () => arena.float64(rows));
  }

  /** Bytes of scratch a read takes: the gathered values and one chunk of rows. */
  static scratchBytes(plan: SummarizedPlan, series: number, rowBytes: number): number[] {
    return [...Array.from({ length: series }, () => plan.rawRows * Float64Array.BYTES_PER_ELEMENT), chunkRowsOf(plan, rowBytes) * rowBytes];
  }

  static async read(reader: PacedReader, matrix: DataMatrix, wanted: readonly SampledSignal[], plan: SummarizedPlan, arena: Arena): Promise<RawRows> {
    const raw = new RawRows(plan.spans, plan.rawRows, wanted.length, arena);
    const rowBytes = matrix.signals * elementSize(matrix.elementType);
    const chunkRows = chunkRowsOf(plan, rowBytes);
    const buffer = arena.bytes(chunkRows * rowBytes);
    const signals = Int32Array.from(wanted, (w) => w.signal);
    for (let s = 0; s < plan.spans.length; s++) {
      const span = plan.spans[s];
      for (let row = span.start; row < span.end; row += chunkRows) {
        const rows = Math.min(chunkRows, span.end - row);
        const bytes = buffer.subarray(0, rows * rowBytes);
        await reader.fill(bytes, matrix.dataOffset + row * rowBytes);
        gatherRows(bytes, matrix.elementType, matrix.littleEndian, matrix.signals, rows, signals, raw.values, raw.offsets[s] + row - span.start);
      }
    }
    wanted.forEach((w, k) => w.negate && raw.values[k].forEach((v, i, all) => (all[i] = -v)));
    return raw;
  }

  /**
   * A cursor over the spans for one pass in ascending index order: for an index, the shift that
   * turns the indices of its span into positions in `values`.
   */
  cursor(): (index: number) => number {
    let s = 0;
    return (index) => {
      while (this.spans[s].end <= index) {
        s++;
      }
      return this.offsets[s] - this.spans[s].start;
    };
  }
}

/** The running minimum and maximum of one bucket and series. */
class Extremes {
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
    let { minValue, maxValue, minIndex, maxIndex } = this;
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
    Object.assign(this, { minValue, maxValue, minIndex, maxIndex });
  }

  /** Summary blocks `[from, to)`, the first starting at sample `firstSample`; in index order. */
  offerBlocks({ extremes, positions }: SignalSummaries, from: number, to: number, firstSample: number): void {
    const [none, blockSize] = [NONE, BLOCK];
    let { minValue, maxValue, minIndex, maxIndex } = this;
    for (let block = from, start = firstSample; block < to; block++, start += blockSize) {
      const low = extremes[2 * block];
      if (low < minValue && positions[2 * block] !== none) {
        minValue = low;
        minIndex = start + positions[2 * block];
      }
      const high = extremes[2 * block + 1];
      if (high > maxValue && positions[2 * block + 1] !== none) {
        maxValue = high;
        maxIndex = start + positions[2 * block + 1];
      }
    }
    Object.assign(this, { minValue, maxValue, minIndex, maxIndex });
  }
}

/** The summaries of the negated signal, in place: its minimum is the stored maximum, negated (and at the same sample). */
function negateSummaries({ extremes, positions }: SignalSummaries): SignalSummaries {
  for (let i = 0; i < extremes.length; i += 2) {
    const [min, max] = [extremes[i], extremes[i + 1]];
    extremes[i] = -max;
    extremes[i + 1] = -min;
    const minAt = positions[i];
    positions[i] = positions[i + 1];
    positions[i + 1] = minAt;
  }
  return { extremes, positions };
}

/**
 * M4 of each wanted signal over `range`, from the raw rows of `plan.spans` (read through `reader`
 * from the result file) and the summaries of blocks `[plan.firstBlock, plan.endBlock)`.
 */
export async function sampleSummarized(
  reader: PacedReader,
  matrix: DataMatrix,
  time: Float64Array,
  wanted: readonly SampledSignal[],
  plan: SummarizedPlan,
  summaries: readonly SignalSummaries[],
  arena: Arena
): Promise<SampledSeries> {
  const raw = await RawRows.read(reader, matrix, wanted, plan, arena);
  return wanted.map((w, k) => {
    const own = w.negate ? negateSummaries(summaries[k]) : summaries[k];
    return sampleOne(matrix.samples, time, raw, k, plan, own);
  });
}

function sampleOne(
  samples: number,
  time: Float64Array,
  raw: RawRows,
  k: number,
  plan: SummarizedPlan,
  summaries: SignalSummaries
): { time: Float64Array; values: Float64Array } {
  const values = raw.values[k];
  const shiftAt = raw.cursor();
  const extremes = new Extremes();
  const picks = new FourPicks();
  const out = new PointList();
  const { starts } = plan;
  for (let j = 0; j + 1 < starts.length; j++) {
    const a = starts[j];
    const b = starts[j + 1];
    const from = firstFullBlock(a);
    const to = endFullBlock(b, samples);
    extremes.reset();
    // Each raw piece lies in one span (planSummarized merged them so).
    const firstShift = shiftAt(a);
    let lastShift = firstShift;
    if (from < to) {
      extremes.scan(values, a, Math.max(blockStart(from, samples), a + 1), firstShift);
      extremes.offerBlocks(summaries, from - plan.firstBlock, to - plan.firstBlock, from * BLOCK);
      const rightStart = Math.min(blockStart(to, samples), b - 1);
      lastShift = shiftAt(rightStart);
      extremes.scan(values, rightStart, b, lastShift);
    } else {
      extremes.scan(values, a, b, firstShift);
    }
    const { minIndex, maxIndex } = extremes;
    picks.set(0, a, time[a], values[a + firstShift]);
    picks.set(1, minIndex, minIndex >= 0 ? time[minIndex] : 0, extremes.minValue);
    picks.set(2, maxIndex, maxIndex >= 0 ? time[maxIndex] : 0, extremes.maxValue);
    picks.set(3, b - 1, time[b - 1], values[b - 1 + lastShift]);
    picks.emitTo(out);
  }
  return { time: Float64Array.from(out.time), values: Float64Array.from(out.values) };
}
