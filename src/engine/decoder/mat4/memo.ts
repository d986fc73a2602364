/**
 * Whole data matrices of small binTrans files, kept in memory. Reading any variable of such a
 * file reads the whole file (the samples of all variables are interleaved), so the first read
 * keeps every column and later reads of any variable cost no I/O. Bounded by bytes across all
 * files, least recently used first out; files too large for it get a per-variable layout on disk.
 */
import { ByteBudgetLru } from '../../util/byte-lru';

export const MEMO_BUDGET_BYTES = 256 * 1024 * 1024;

const memos = new ByteBudgetLru<string, Float64Array[]>(MEMO_BUDGET_BYTES);

/** Where reads of binTrans files were served from, since the process started (for /metrics). */
export const readStats = { memoHits: 0, memoMisses: 0, layoutReads: 0, fileReads: 0 };

/** The kept columns (every signal, every sample) of a file version, or undefined. */
export function memoizedColumns(key: string): Float64Array[] | undefined {
  const columns = memos.get(key);
  readStats[columns ? 'memoHits' : 'memoMisses']++;
  return columns;
}

export function memoizeColumns(key: string, columns: Float64Array[]): void {
  const bytes = columns.reduce((sum, column) => sum + column.byteLength, 0);
  if (bytes > MEMO_BUDGET_BYTES / 8 || memos.has(key)) {
    return;
  }
  memos.set(key, columns, bytes);
}

/** Bytes held, for metrics and tests. */
export function memoBytes(): number {
  return memos.bytes;
}
