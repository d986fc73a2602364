/**
 * The live tail of a binTrans MAT v4 result: every time step is one row of data_2 at the end of
 * the file, so the rows a solver appends are read by position. The catalogue (names, descriptions,
 * dataInfo, data_1) is parsed once, by the decoder's own code (tail-mat4-catalogue.ts); each poll
 * then reads data_2's column count, a few marked bytes and the new rows only.
 */
import { DecodeError } from '../decoder/errors';
import type { FileSource } from '../decoder/file-source';
import { dataMatrixState, readDeclaredTimes, rowsInFile } from '../decoder/mat4/header';
import { assembleValues, uniqueTrajectorySignals, type Location } from '../decoder/mat4/locations';
import { readSignals, type DataMatrix } from '../decoder/mat4/matrix';
import { elementSize, readRecordHeader, type Mat4Record } from '../decoder/mat4/records';
import { VariableIndex } from '../decoder/names';
import { ByteMarks, type FileState, type LiveFile, refreshed } from './tail-file';
import { readCatalogue, type Catalogue } from './tail-mat4-catalogue';
import { selectVariables, type ExperimentSpan, type Selection, type TailOptions, type TailRows, type VersionReader } from './tail-types';

/** The bytes marked at the start of the file: Aclass and the first names, never rewritten during a run. */
const HEAD_MARK_BYTES = 4096;
/** A MAT v4 record header is five int32: type, mrows, ncols, imagf, namlen. */
const NCOLS_AT = 8;

/** What opening found: not enough written yet, a row-wise reader, or a file to read whole (tail-whole.ts). */
export type Mat4Opening = 'incomplete' | 'whole' | VersionReader;

export async function openMat4(file: LiveFile, state: FileState, options: TailOptions): Promise<Mat4Opening> {
  const catalogue = await readCatalogue(file.source(state));
  if (!catalogue) {
    return 'incomplete';
  }
  if (!catalogue.aclass.transposed || catalogue.aclass.version !== '1.1') {
    // binNormal (one signal contiguous) and 1.0 "export as plotted" files cannot grow row by row.
    return 'whole';
  }
  return Mat4RowReader.create(file, state, catalogue, options);
}

/**
 * The declared span, where it can lay out a live grid: a stop after the start, both finite. (A
 * writer that leaves data_1's stop at the start, or patches it to each step as PyFMI does, gives
 * a span that the rows outgrow; the live downsampler then widens as without one.)
 */
function spanOf(times: [number, number] | undefined): ExperimentSpan | undefined {
  if (!times) {
    return undefined;
  }
  const [start, stop] = times;
  return Number.isFinite(start) && Number.isFinite(stop) && stop > start ? { start, stop } : undefined;
}

/** data_2's rows as a solver appends them, read by position from the open handle. */
class Mat4RowReader implements VersionReader {
  private readonly marks = new ByteMarks();
  private readonly rowBytes: number;
  private readonly signals: number[];
  private delivered = 0;
  private available = 0;
  private state: FileState = { size: 0, modifiedMs: 0 };
  /**
   * True once the bytes after the declared rows were found to be rows, not another matrix: they
   * stay rows (the marks tell a rewrite), so polls skip that read until the count changes.
   */
  private rowsFollowCount = false;
  /** Why the rows last read cannot be trusted (the file changed while they were read), for the next refresh. */
  private voided: string | undefined;

  private constructor(
    private readonly file: LiveFile,
    /** data_2's header as last read: only its column count may change during a run. */
    private header: Mat4Record,
    private readonly data2: DataMatrix,
    readonly selection: Selection,
    private readonly locations: Location[],
    readonly span: ExperimentSpan | undefined
  ) {
    this.rowBytes = data2.signals * elementSize(data2.elementType);
    // Time (signal 0) first: every batch carries it.
    this.signals = [...new Set([0, ...uniqueTrajectorySignals(locations)])];
  }

  static async create(file: LiveFile, state: FileState, catalogue: Catalogue, options: TailOptions): Promise<Mat4RowReader> {
    const { parsed, data2Record, stableEnd } = catalogue;
    if (parsed.data2.signals > parsed.variables.length) {
      // Each data_2 row is some variable's: a wider row is a corrupt header, not a wide model.
      throw new DecodeError(
        file.displayName,
        'corrupt',
        `data_2 has ${parsed.data2.signals} rows but the file names only ${parsed.variables.length} variables`
      );
    }
    const index = new VariableIndex(parsed.variables);
    const selection = selectVariables(options.variables, (name) => index.find(name));
    const slots = new Map(parsed.variables.map((variable, slot) => [variable, slot]));
    const locations = selection.variables.map((variable) => parsed.locations.at(slots.get(variable)!));
    const span = spanOf(await readDeclaredTimes(file.source(state), parsed.data1));
    const reader = new Mat4RowReader(file, data2Record, parsed.data2, selection, locations, span);
    await reader.marks.mark(file, 'header', 0, Math.min(stableEnd, HEAD_MARK_BYTES));
    // data_2's header but its column count (type and mrows; imagf, namlen and the name).
    await reader.marks.mark(file, 'data_2 header', data2Record.offset, NCOLS_AT);
    await reader.marks.mark(
      file,
      'data_2 name',
      data2Record.offset + NCOLS_AT + 4,
      data2Record.dataOffset - data2Record.offset - NCOLS_AT - 4
    );
    return reader;
  }

  refresh(): Promise<string | undefined> {
    return refreshed(this.voided, () => this.measure());
  }

  private async measure(): Promise<string | undefined> {
    const [replaced, state] = await Promise.all([this.file.replaced(), this.file.measure()]);
    if (replaced) {
      return 'the file was replaced (another file now has its name)';
    }
    const readEnd = this.data2.dataOffset + this.delivered * this.rowBytes;
    if (state.size < readEnd) {
      return `the file was truncated to ${state.size} bytes (${readEnd} had been read)`;
    }
    const changed = await this.marks.firstChanged(this.file, state);
    if (changed !== undefined) {
      return `the file was rewritten (its ${changed} changed)`;
    }
    const source = this.file.source(state);
    if ((await this.columnCountOnDisk()) !== this.header.declaredCols) {
      // A header overwritten with garbage (a negative count) fails here as corrupt, naming the file.
      const header = await readRecordHeader(source, this.header.offset);
      if (header.declaredCols < this.header.declaredCols) {
        return `the file was rewritten (data_2 declares ${header.declaredCols} rows, it declared ${this.header.declaredCols})`;
      }
      this.header = header;
      this.rowsFollowCount = false;
    }
    const rows = await this.rowsOnDisk(source);
    if (rows < this.delivered) {
      return `the file was rewritten (data_2 holds ${rows} rows, ${this.delivered} had been read)`;
    }
    this.available = rows;
    this.state = state;
    return undefined;
  }

  /** data_2's ncols field as it is on disk now. */
  private async columnCountOnDisk(): Promise<number> {
    const bytes = await this.file.read(this.header.offset + NCOLS_AT, 4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, this.header.littleEndian);
  }

  /**
   * The header-lag rule. While data_2 grows (its count is 0, lags the rows or runs ahead of
   * them), the rows are what the file length holds, a partial last row left out. Once a matrix
   * header follows the declared rows, the declared count holds; while the bytes after them are
   * too few to tell, it holds too, for now (see dataMatrixState).
   */
  private async rowsOnDisk(source: FileSource): Promise<number> {
    if (this.rowsFollowCount) {
      return rowsInFile(source, this.header);
    }
    const state = await dataMatrixState(source, this.header);
    if (state !== 'growing') {
      return this.header.declaredCols;
    }
    // A count ahead of the bytes is looked at again at each poll: the bytes after it are not there yet.
    this.rowsFollowCount = this.header.end <= source.size;
    return rowsInFile(source, this.header);
  }

  async nextBatch(maxRows: number): Promise<TailRows | undefined> {
    const count = Math.min(maxRows, this.available - this.delivered);
    if (count <= 0) {
      return undefined;
    }
    const first = this.delivered;
    const columns = await readSignals(this.file.source(this.state), this.data2, this.signals, first, first + count);
    // A run restarted meanwhile may have rewritten what was just read: the marks tell, before they move on.
    const changed = await this.marks.firstChanged(this.file, this.state);
    if (changed !== undefined) {
      this.voided = `the file was rewritten while it was read (its ${changed} changed)`;
      return undefined;
    }
    const values = assembleValues(this.selection.variables, this.locations, this.signals, columns, count);
    this.delivered += count;
    await this.markRows(first);
    return { firstRow: first, time: columns[0], values };
  }

  /** The first and the last row returned: a run restarted under the same name rewrites them. */
  private async markRows(firstOfBatch: number): Promise<void> {
    const rowAt = (row: number) => this.data2.dataOffset + row * this.rowBytes;
    if (firstOfBatch === 0) {
      await this.marks.mark(this.file, 'first row', rowAt(0), this.rowBytes);
    }
    await this.marks.mark(this.file, 'last row read', rowAt(this.delivered - 1), this.rowBytes);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
