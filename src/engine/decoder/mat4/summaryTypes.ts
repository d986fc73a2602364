/**
 * The shapes a summarized read shares between its planner (summarized.ts), its bucket pieces
 * (edgePieces.ts) and its extremes (extremes.ts); kept apart so that none of them imports another
 * only for a type.
 */
import type { SummaryArray } from './blockSummary';

/** Row indices `[start, end)` read raw in one go. */
export interface Span {
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

/** One signal's block summaries from `firstBlock` on: min, max per block and their offsets in it. */
export interface SignalSummaries {
  extremes: SummaryArray;
  positions: Uint8Array;
  /** The block that `extremes[0]` and `extremes[1]` describe. */
  firstBlock: number;
  /** Coarse extremes of the whole signal (blockSummary.ts coarsen), where the summaries are kept in memory. */
  coarse?: Float64Array;
}
