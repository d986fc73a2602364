/**
 * Exact M4 from block summaries, bucket by bucket. A bucket is a left piece (the raw samples at its
 * start, then the blocks up to its first coarse block), a middle (coarse blocks where the
 * summaries are kept in memory, else blocks) and a right piece (the mirror image). The pieces
 * depend on the range and width only, not on the variables: kept for every signal (edgeRows.ts),
 * they serve later reads of any variables of that range and width, which then offer each bucket's
 * middle and two pieces and read nothing.
 *
 * Pieces hold the signal as stored; a negated alias swaps and negates their extremes, which picks
 * what scanning the negated samples picks (the first of the maximum is the first of the negated
 * minimum).
 */
import { PointList } from '../../query/m4-stream';
import { COARSE_BLOCKS, blockStart, endFullBlock, firstFullBlock } from './blockSummary';
import { EXTREMES, Extremes } from './extremes';
import type { SampledSeries, SampledSignal } from './sampled';
import type { SignalSummaries, SummarizedPlan } from './summaryTypes';

/** Numbers per bucket and signal: the left piece's extremes (Extremes.store), the right piece's, then the first and last value. */
export const PIECE = 2 * EXTREMES + 2;

// Imported bindings are getters once compiled to CommonJS (as under tsx): these run per bucket.
const COARSE = COARSE_BLOCKS;
const RIGHT = EXTREMES;
const FIRST_VALUE = 2 * EXTREMES;
const LAST_VALUE = FIRST_VALUE + 1;

/** Where each bucket's parts lie, in samples, blocks and (for the middle) coarse blocks. */
export class BucketParts {
  readonly count: number;
  readonly first: Float64Array;
  readonly last: Float64Array;
  readonly firstTime: Float64Array;
  readonly lastTime: Float64Array;
  readonly leftRawEnd: Float64Array;
  readonly rightRawStart: Float64Array;
  /** Added to a sample index of the left (right) raw piece, its position in the raw columns. */
  readonly leftShift: Float64Array;
  readonly rightShift: Float64Array;
  readonly blocksFrom: Float64Array;
  readonly leftBlocksEnd: Float64Array;
  readonly middleFrom: Float64Array;
  readonly middleTo: Float64Array;
  readonly rightBlocksStart: Float64Array;
  readonly blocksTo: Float64Array;

  /** `coarse`: whether the middles are coarse blocks. */
  constructor(
    plan: SummarizedPlan,
    time: Float64Array,
    samples: number,
    readonly coarse: boolean
  ) {
    this.count = plan.starts.length - 1;
    const columns = Array.from({ length: 14 }, () => new Float64Array(this.count));
    [this.first, this.last, this.firstTime, this.lastTime, this.leftRawEnd, this.rightRawStart] = columns;
    [this.leftShift, this.rightShift, this.blocksFrom, this.leftBlocksEnd, this.middleFrom, this.middleTo] =
      columns.slice(6);
    [this.rightBlocksStart, this.blocksTo] = columns.slice(12);
    const shiftAt = spanCursor(plan);
    for (let j = 0; j < this.count; j++) {
      this.place(j, plan.starts[j], plan.starts[j + 1], samples, shiftAt);
      this.firstTime[j] = time[this.first[j]];
      this.lastTime[j] = time[this.last[j]];
    }
  }

  private place(j: number, a: number, b: number, samples: number, shiftAt: (index: number) => number): void {
    const from = firstFullBlock(a);
    const to = endFullBlock(b, samples);
    // Without a whole block inside, the bucket is all raw (its left piece).
    const whole = from >= to;
    this.first[j] = a;
    this.last[j] = b - 1;
    this.leftRawEnd[j] = whole ? b : Math.max(blockStart(from, samples), a + 1);
    this.rightRawStart[j] = whole ? b : Math.min(blockStart(to, samples), b - 1);
    this.leftShift[j] = shiftAt(a);
    this.rightShift[j] = whole ? this.leftShift[j] : shiftAt(this.rightRawStart[j]);
    const [coarseFrom, coarseTo] = [Math.ceil(from / COARSE), Math.floor(to / COARSE)];
    const [leftEnd, middleFrom, middleTo, rightStart] = whole
      ? [from, 0, 0, from]
      : !this.coarse
        ? [from, from, to, to]
        : coarseFrom < coarseTo
          ? [coarseFrom * COARSE, coarseFrom, coarseTo, coarseTo * COARSE]
          : [to, 0, 0, to];
    this.blocksFrom[j] = from;
    this.leftBlocksEnd[j] = leftEnd;
    this.middleFrom[j] = middleFrom;
    this.middleTo[j] = middleTo;
    this.rightBlocksStart[j] = rightStart;
    this.blocksTo[j] = whole ? from : to;
  }
}

/**
 * A cursor over the plan's spans for one pass in ascending index order: for an index, the shift
 * that turns the indices of its span into positions in the raw columns (spans back to back).
 */
function spanCursor({ spans }: SummarizedPlan): (index: number) => number {
  let s = 0;
  let offset = 0;
  return (index) => {
    while (spans[s].end <= index) {
      offset += spans[s].end - spans[s].start;
      s++;
    }
    return offset - spans[s].start;
  };
}

/**
 * The pieces of every bucket for each of `columns` (raw rows of the plan's spans, as stored) with
 * `summaries` of the same signals, into `into`: column k's pieces at `columnOf[k]`
 * (pieceAt). Each signal's pieces are contiguous, so that a read walks them in order.
 */
export function computePieces(
  parts: BucketParts,
  columns: readonly Float64Array[],
  summaries: readonly SignalSummaries[],
  time: Float64Array,
  into: Float64Array,
  columnOf: Int32Array
): void {
  const extremes = new Extremes();
  for (let k = 0; k < columns.length; k++) {
    const [values, own] = [columns[k], summaries[k]];
    for (let j = 0, at = pieceAt(parts, columnOf[k]); j < parts.count; j++, at += PIECE) {
      const [a, last] = [parts.first[j], parts.last[j]];
      const [leftShift, rightShift] = [parts.leftShift[j], parts.rightShift[j]];
      extremes.reset();
      extremes.scan(values, a, parts.leftRawEnd[j], leftShift);
      extremes.offerFine(own, false, parts.blocksFrom[j], parts.leftBlocksEnd[j]);
      extremes.store(into, at, time);
      extremes.reset();
      extremes.offerFine(own, false, parts.rightBlocksStart[j], parts.blocksTo[j]);
      extremes.scan(values, parts.rightRawStart[j], last + 1, rightShift);
      extremes.store(into, at + RIGHT, time);
      into[at + FIRST_VALUE] = values[a + leftShift];
      into[at + LAST_VALUE] = values[last + rightShift];
    }
  }
}

/** Where the pieces of the signal at `column` start: its first bucket's. */
function pieceAt(parts: BucketParts, column: number): number {
  return column * parts.count * PIECE;
}

/**
 * M4 of each wanted signal from the pieces (wanted k's at column `columnOf[k]`) and the middles
 * from `summaries` (of the wanted signals).
 */
export function samplePieces(
  parts: BucketParts,
  pieces: Float64Array,
  columnOf: Int32Array,
  wanted: readonly SampledSignal[],
  summaries: readonly SignalSummaries[],
  time: Float64Array
): SampledSeries {
  const extremes = new Extremes();
  return wanted.map(({ negate }, k) => {
    const sign = negate ? -1 : 1;
    const own = summaries[k];
    const out = new PointList(4 * parts.count);
    for (let j = 0, at = pieceAt(parts, columnOf[k]); j < parts.count; j++, at += PIECE) {
      const [middleFrom, middleTo] = [parts.middleFrom[j], parts.middleTo[j]];
      extremes.reset();
      extremes.offerPiece(pieces, at, negate);
      if (parts.coarse) {
        extremes.offerCoarse(own.coarse as Float64Array, negate, middleFrom, middleTo);
      } else {
        extremes.offerFine(own, negate, middleFrom, middleTo);
      }
      extremes.offerPiece(pieces, at + RIGHT, negate);
      out.push(parts.first[j], parts.firstTime[j], sign * pieces[at + FIRST_VALUE]);
      extremes.emitTo(out, time);
      out.push(parts.last[j], parts.lastTime[j], sign * pieces[at + LAST_VALUE]);
    }
    return out.series();
  });
}
