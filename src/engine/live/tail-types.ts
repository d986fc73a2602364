/** The live tail's contract (see tail.ts), apart so that the per-format readers can share it without a circle. */
import type { VariableInfo } from '../decoder/types';

/** Arrays may be shared (time with a requested time variable, aliases of one signal, views of one parsed chunk): treat them as read-only. */
export interface TailRows {
  /** Index of this batch's first row, counted from the file's first row (0-based). */
  firstRow: number;
  time: Float64Array;
  /** One array per resolved variable, in the order of `ResultTail.variables` (the requested names minus `missing`); parameters repeat their value. */
  values: Float64Array[];
}

export type TailEvent =
  | { kind: 'rows'; rows: TailRows }
  /** The file was truncated, rewritten by a restarted run or replaced by a rename: every row returned before is void; the following 'rows' start again at firstRow 0. */
  | { kind: 'reset'; reason: string };

export interface TailOptions {
  /** The name used in error messages (relative to its data root), as ResultFile.displayName. */
  displayName: string;
  /** Variable names as the user gives them (resolved like ResultFile.findVariable: Time/time, der(), etc.). Unknown names are reported in `missing`, never an error for the whole tail. */
  variables: readonly string[];
  /** At most this many rows per 'rows' event (bounds memory for a file that is already huge when first opened); default 65536. */
  maxRowsPerBatch?: number;
  /** At most this many rows per poll (default: no limit); the rest come with the next polls, and `caughtUp` says whether any are left. */
  maxRowsPerPoll?: number;
}

export const DEFAULT_ROWS_PER_BATCH = 65536;

export interface ExperimentSpan {
  start: number;
  stop: number;
}

/** The requested names resolved against one version of the file. */
export interface Selection {
  variables: VariableInfo[];
  missing: string[];
}

/**
 * One version of the followed file (from its first byte until it is truncated, rewritten or
 * replaced), read by its format's reader: tail-mat4.ts, tail-csv.ts or tail-whole.ts.
 */
export interface VersionReader {
  readonly selection: Selection;
  /** The experiment's start and stop time as the file states them before the run ends (MAT v4's data_1); undefined where it does not. */
  readonly span: ExperimentSpan | undefined;
  /**
   * Measures the file again. Returns why this version is void (the reason of the 'reset'), or
   * undefined while it holds; nextBatch then reads up to what was measured.
   */
  refresh(): Promise<string | undefined>;
  /** The next complete rows that refresh measured, at most `maxRows`; undefined when none are left. */
  nextBatch(maxRows: number): Promise<TailRows | undefined>;
  close(): Promise<void>;
}

/**
 * Resolves requested names the way ResultFile.findVariable does. A name found twice (`Time` and
 * `time`) stays twice, so that the variables follow the requested names minus the missing ones.
 */
export function selectVariables(
  requested: readonly string[],
  find: (name: string) => VariableInfo | undefined
): Selection {
  const variables: VariableInfo[] = [];
  const missing: string[] = [];
  for (const name of requested) {
    const variable = find(name);
    if (variable) {
      variables.push(variable);
    } else {
      missing.push(name);
    }
  }
  return { variables, missing };
}
