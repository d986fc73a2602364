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
 * are replaced by about 40,000 summaries and 500 reads of 25 KB. The buckets are then put together
 * from pieces (edgePieces.ts), which later reads of the same range and width find kept.
 */
import { firstAtOrAfter } from '../../query/m4';
import { bucketEnd, m4Plan } from '../../query/m4-stream';
import type { PacedReader } from '../../util/paced-read';
import { arenaBytes, scratchPool, type Arena } from '../../util/scratch';
import type { SampleRange } from '../clip';
import { blockStart, endFullBlock, firstFullBlock } from './blockSummary';
import { BucketParts, PIECE, computePieces, samplePieces } from './edgePieces';
import { edgeRows, type HeldRows } from './edgeRows';
import { gatherRows } from './elements';
import type { DataMatrix } from './matrix';
import { elementSize } from './records';
import type { SampledSeries, SampledSignal } from './sampled';
import type { SignalSummaries, Span, SummarizedPlan } from './summaryTypes';

/**
 * The cost of one read, in bytes copied: about 4 us per system call on the test machine, where
 * the page cache copies about 4 GB/s.
 */
const READ_COST_BYTES = 16 * 1024;
/** Scanning a sample in M4 costs about as much as copying 8 bytes of it. */
const SCAN_COST_BYTES = 8;
/** Rows read per system call at most (and so the chunk buffer's size). */
const CHUNK_BYTES = 512 * 1024;

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
export function planSummarized(
  time: Float64Array,
  range: SampleRange,
  maxPoints: number,
  samples: number,
  rowBytes: number
): SummarizedPlan {
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

/** Scratch bytes for readStoreSummaries of `series` signals over the plan's blocks. */
export function summaryScratchBytes(plan: SummarizedPlan, series: number, storeBytes: number): number {
  const blocks = plan.endBlock - plan.firstBlock;
  return arenaBytes(Array.from({ length: series }, () => [blocks * 2 * storeBytes, blocks * 2]).flat());
}

/**
 * Whether the plan reads fewer bytes (counting system calls and scanning) than streaming the
 * stored columns. Summaries kept in memory cost no reading.
 */
export function summariesPayOff(
  plan: SummarizedPlan,
  range: SampleRange,
  series: number,
  matrix: DataMatrix,
  storeBytes: number,
  summariesKept: boolean
): boolean {
  const rowBytes = matrix.signals * elementSize(matrix.elementType);
  const summaryBytes = summariesKept
    ? 0
    : (plan.endBlock - plan.firstBlock) * 2 * (storeBytes + 1) + 2 * READ_COST_BYTES;
  const planned =
    plan.rawRows * rowBytes +
    plan.spans.length * READ_COST_BYTES +
    series * (summaryBytes + (plan.starts.length - 1) * SCAN_COST_BYTES);
  const count = range.end - range.first;
  const streamed =
    series * (count * (storeBytes + SCAN_COST_BYTES) + Math.ceil((count * storeBytes) / CHUNK_BYTES) * READ_COST_BYTES);
  return planned < streamed;
}

/** Rows per read: a whole span, up to CHUNK_BYTES. */
function chunkRowsOf(plan: SummarizedPlan, rowBytes: number): number {
  const longestSpan = plan.spans.reduce((longest, span) => Math.max(longest, span.end - span.start), 0);
  return Math.max(1, Math.min(longestSpan, Math.floor(CHUNK_BYTES / rowBytes)));
}

/** Reads the rows of every span through a chunk buffer from `arena`, gathering `signals` into `columns`. */
async function readSpans(
  reader: PacedReader,
  matrix: DataMatrix,
  plan: SummarizedPlan,
  arena: Arena,
  signals: Int32Array,
  columns: Float64Array[]
): Promise<void> {
  const rowBytes = matrix.signals * elementSize(matrix.elementType);
  const chunkRows = chunkRowsOf(plan, rowBytes);
  const buffer = arena.bytes(chunkRows * rowBytes);
  let at = 0;
  for (const span of plan.spans) {
    for (let row = span.start; row < span.end; row += chunkRows) {
      const rows = Math.min(chunkRows, span.end - row);
      const bytes = buffer.subarray(0, rows * rowBytes);
      await reader.fill(bytes, matrix.dataOffset + row * rowBytes);
      gatherRows(bytes, matrix.elementType, matrix.littleEndian, matrix.signals, rows, signals, columns, at);
      at += rows;
    }
  }
}

/**
 * M4 of each wanted signal over the plan's range, from the raw rows of `plan.spans` (read through
 * `reader` from the result file) and `summaries` (of the wanted signals, as stored), put together
 * from the buckets' pieces (edgePieces.ts). With an `edgeKey` (the file version, range and width)
 * and summaries in memory, the rows and pieces are kept under it (edgeRows.ts): a later read of
 * that range and width reads nothing, and computes pieces only for signals no read asked for yet.
 */
export async function sampleSummarized(
  reader: PacedReader,
  matrix: DataMatrix,
  time: Float64Array,
  wanted: readonly SampledSignal[],
  plan: SummarizedPlan,
  summaries: readonly SignalSummaries[],
  edgeKey?: string
): Promise<SampledSeries> {
  const parts = new BucketParts(
    plan,
    time,
    matrix.samples,
    summaries.every((s) => s.coarse !== undefined)
  );
  const rowBytes = matrix.signals * elementSize(matrix.elementType);
  const held =
    edgeKey !== undefined && parts.coarse ? await keptEdges(reader, matrix, plan, parts, edgeKey) : undefined;
  const arena = scratchPool.arena(
    arenaBytes([
      ...wanted.map(() => plan.rawRows * Float64Array.BYTES_PER_ELEMENT),
      // Kept pieces need columns only for the signals they lack; read pieces need their own and a chunk buffer.
      held ? 0 : parts.count * wanted.length * PIECE * Float64Array.BYTES_PER_ELEMENT,
      held ? 0 : chunkRowsOf(plan, rowBytes) * rowBytes,
    ])
  );
  try {
    if (held) {
      const table = new EdgeTable(held.bytes, matrix, plan, parts);
      table.complete(wanted, summaries, time, arena);
      return samplePieces(
        parts,
        table.pieces,
        Int32Array.from(wanted, (w) => w.signal),
        wanted,
        summaries,
        time
      );
    }
    const columns = wanted.map(() => arena.float64(plan.rawRows));
    await readSpans(
      reader,
      matrix,
      plan,
      arena,
      Int32Array.from(wanted, (w) => w.signal),
      columns
    );
    const pieces = arena.float64(parts.count * wanted.length * PIECE);
    const own = Int32Array.from(wanted, (_, k) => k);
    computePieces(parts, columns, summaries, time, pieces, own);
    return samplePieces(parts, pieces, own, wanted, summaries, time);
  } finally {
    held?.release();
    arena.release();
  }
}

/**
 * A kept buffer of one range and width: the raw rows of the plan's spans as the file stores them,
 * then the pieces of every signal (computed on demand), then one byte per signal that says
 * whether its pieces are computed.
 */
class EdgeTable {
  readonly rows: Uint8Array;
  readonly pieces: Float64Array;
  readonly computed: Uint8Array;

  constructor(
    bytes: Uint8Array,
    private readonly matrix: DataMatrix,
    private readonly plan: SummarizedPlan,
    private readonly parts: BucketParts
  ) {
    const [rowsBytes, piecesAt, piecesLength] = EdgeTable.layout(matrix, plan, parts);
    this.rows = bytes.subarray(0, rowsBytes);
    this.pieces = new Float64Array(bytes.buffer, bytes.byteOffset + piecesAt, piecesLength);
    this.computed = bytes.subarray(
      piecesAt + piecesLength * Float64Array.BYTES_PER_ELEMENT,
      EdgeTable.bytes(matrix, plan, parts)
    );
  }

  /** Bytes of the rows; offset and length (in numbers) of the pieces. */
  private static layout(matrix: DataMatrix, plan: SummarizedPlan, parts: BucketParts): [number, number, number] {
    const rowsBytes = plan.rawRows * matrix.signals * elementSize(matrix.elementType);
    return [rowsBytes, Math.ceil(rowsBytes / 8) * 8, parts.count * matrix.signals * PIECE];
  }

  static bytes(matrix: DataMatrix, plan: SummarizedPlan, parts: BucketParts): number {
    const [, piecesAt, piecesLength] = EdgeTable.layout(matrix, plan, parts);
    return piecesAt + piecesLength * Float64Array.BYTES_PER_ELEMENT + matrix.signals;
  }

  /** Computes the pieces of the wanted signals that have none yet (synchronously: readers of the table see whole pieces). */
  complete(
    wanted: readonly SampledSignal[],
    summaries: readonly SignalSummaries[],
    time: Float64Array,
    arena: Arena
  ): void {
    const missing = new Map<number, SignalSummaries>();
    wanted.forEach((w, k) => this.computed[w.signal] === 0 && missing.set(w.signal, summaries[k]));
    this.computeSignals(missing, time, arena);
  }

  private computeSignals(missing: Map<number, SignalSummaries>, time: Float64Array, arena: Arena): void {
    if (missing.size === 0) {
      return;
    }
    const signals = Int32Array.from(missing.keys());
    const columns = Array.from(signals, () => arena.float64(this.plan.rawRows));
    const { elementType, littleEndian } = this.matrix;
    gatherRows(this.rows, elementType, littleEndian, this.matrix.signals, this.plan.rawRows, signals, columns, 0);
    computePieces(this.parts, columns, [...missing.values()], time, this.pieces, signals);
    signals.forEach((signal) => (this.computed[signal] = 1));
  }
}

/** The kept rows of `key`, or read now and kept under it; undefined where no buffer is free or they would not fit. */
async function keptEdges(
  reader: PacedReader,
  matrix: DataMatrix,
  plan: SummarizedPlan,
  parts: BucketParts,
  key: string
): Promise<HeldRows | undefined> {
  const held = edgeRows.get(key);
  if (held) {
    return held;
  }
  const claimed = edgeRows.claim(EdgeTable.bytes(matrix, plan, parts));
  if (!claimed) {
    return undefined;
  }
  try {
    const table = new EdgeTable(claimed.bytes, matrix, plan, parts);
    const rowBytes = matrix.signals * elementSize(matrix.elementType);
    let at = 0;
    for (const span of plan.spans) {
      const bytes = table.rows.subarray(at * rowBytes, (at + span.end - span.start) * rowBytes);
      await reader.fill(bytes, matrix.dataOffset + span.start * rowBytes);
      at += span.end - span.start;
    }
    table.computed.fill(0);
    claimed.keep(key);
    return claimed;
  } catch (error) {
    claimed.release();
    throw error;
  }
}
