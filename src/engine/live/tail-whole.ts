/**
 * Files that cannot grow row by row: binNormal MAT v4 (each signal contiguous, so a new time step
 * would have to be inserted into every signal), Atrajectory 1.0, MAT v5/v7.3 and HDF5. The tail
 * reads them whole through the project's decoder once they decode, and any later change of the
 * file (its length, its time or a rename) voids them: the tail resets and reads the new file whole.
 */
import { isDecodeError, openResultFile, type ResultFile } from '../decoder';
import type { FileState, LiveFile } from './tail-file';
import { selectVariables, type Selection, type TailOptions, type TailRows, type VersionReader } from './tail-types';

/** Codes of a file that is only not complete yet (e.g. a binNormal file still being copied). */
const INCOMPLETE = new Set(['truncated', 'empty']);

export class WholeFileReader implements VersionReader {
  /** A file read whole has all its rows: no span is needed to lay out what is still to come. */
  readonly span = undefined;
  private delivered = 0;
  private void = false;

  private constructor(
    private readonly file: LiveFile,
    private readonly opened: FileState,
    private readonly result: ResultFile,
    private readonly time: Float64Array,
    readonly selection: Selection
  ) {}

  /** Undefined while the file does not decode because it is incomplete, or changes under the decoder. */
  static async open(file: LiveFile, state: FileState, options: TailOptions): Promise<WholeFileReader | undefined> {
    let result: ResultFile;
    try {
      result = await openResultFile(file.path, options.displayName);
    } catch (error) {
      if (isDecodeError(error) && INCOMPLETE.has(error.code)) {
        return undefined;
      }
      throw error;
    }
    // The decoder opens the path itself: it must have read this version, unchanged.
    if (!(await stillTheSame(file, state)) || result.sizeBytes !== state.size) {
      return undefined;
    }
    const time = await result.readTime();
    const selection = selectVariables(options.variables, (name) => result.findVariable(name));
    return new WholeFileReader(file, state, result, time, selection);
  }

  async refresh(): Promise<string | undefined> {
    if (this.void || !(await stillTheSame(this.file, this.opened))) {
      return 'the file changed (it cannot grow row by row: it is read again from its start)';
    }
    return undefined;
  }

  async nextBatch(maxRows: number): Promise<TailRows | undefined> {
    const first = this.delivered;
    const end = Math.min(this.time.length, first + maxRows);
    if (this.void || end <= first) {
      return undefined;
    }
    const values = await this.result.readValues(this.selection.variables, first, end);
    // Reads go through the path: a file replaced meanwhile voids this batch, and refresh resets.
    if (!(await stillTheSame(this.file, this.opened))) {
      this.void = true;
      return undefined;
    }
    this.delivered = end;
    return { firstRow: first, time: this.time.slice(first, end), values };
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

async function stillTheSame(file: LiveFile, opened: FileState): Promise<boolean> {
  if (await file.replaced()) {
    return false;
  }
  const now = await file.measure();
  return now.size === opened.size && now.modifiedMs === opened.modifiedMs;
}
