/**
 * Whole data matrices of small binTrans files, kept in memory. Reading any variable of such a
 * file reads the whole file (the samples of all variables are interleaved), so the first read
 * keeps every column and later reads of any variable cost no I/O. Bounded by bytes across all
 * files, least recently used first out; files too large for it get a per-variable layout on disk.
 */
export const MEMO_BUDGET_BYTES = 256 * 1024 * 1024;

interface Memo {
  columns: Float64Array[];
  bytes: number;
}

const memos = new Map<string, Memo>();
let totalBytes = 0;

/** Where reads of binTrans files were served from, since the process started (for /metrics). */
export const readStats = { memoHits: 0, memoMisses: 0, layoutReads: 0, fileReads: 0 };

/** The kept columns (every signal, every sample) of a file version, or undefined. */
export function memoizedColumns(key: string): Float64Array[] | undefined {
  const memo = memos.get(key);
  if (memo) {
    memos.delete(key);
    memos.set(key, memo);
    readStats.memoHits++;
  } else {
    readStats.memoMisses++;
  }
  return memo?.columns;
}

export function memoizeColumns(key: string, columns: Float64Array[]): void {
  const bytes = columns.reduce((sum, column) => sum + column.byteLength, 0);
  if (bytes > MEMO_BUDGET_BYTES / 8 || memos.has(key)) {
    return;
  }
  memos.set(key, { columns, bytes });
  totalBytes += bytes;
  for (const [oldest, memo] of memos) {
    if (totalBytes <= MEMO_BUDGET_BYTES) {
      break;
    }
    memos.delete(oldest);
    totalBytes -= memo.bytes;
  }
}

/** Bytes held, for metrics and tests. */
export function memoBytes(): number {
  return totalBytes;
}
