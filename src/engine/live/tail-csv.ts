/**
 * The live tail of a CSV result growing line by line (OpenModelica -outputFormat=csv writes one
 * line per step). Only complete lines are read: the bytes after the last line break may be a line
 * still being written ("1.5,2" may yet become "1.5,27"). The header, cells and checks are the CSV
 * decoder's own (CsvTableBuilder), fed with the new lines only.
 */
import { CsvError } from 'csv-parse';

import { catalogueEntry, parseRecords } from '../decoder/csv';
import { detectDelimiter, type CsvDelimiter } from '../decoder/csv/dialect';
import { CsvTableBuilder, type CsvTable } from '../decoder/csv/table';
import { DecodeError } from '../decoder/errors';
import { VariableIndex } from '../decoder/names';
import type { VariableInfo } from '../decoder/types';
import { ByteMarks, type FileState, type LiveFile, refreshed } from './tail-file';
import { selectVariables, type Selection, type TailOptions, type TailRows, type VersionReader } from './tail-types';

const LF = 0x0a;
const CR = 0x0d;
/** Bytes read per step; a line longer than this is read in a larger window, up to MAX_LINE_BYTES. */
const CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_LINE_BYTES = 64 * 1024 * 1024;
const HEAD_MARK_BYTES = 4096;

export class CsvLineReader implements VersionReader {
  /** A CSV result does not say when its run will end. */
  readonly span = undefined;
  private readonly marks = new ByteMarks();
  private pending: CsvTable | undefined;
  private pendingAt = 0;
  private delivered = 0;
  private state: FileState;
  /** Why the lines last read cannot be trusted (the file changed while they were read), for the next refresh. */
  private voided: string | undefined;

  private constructor(
    private readonly file: LiveFile,
    private readonly builder: CsvTableBuilder,
    private readonly delimiter: CsvDelimiter,
    private readonly lineEnd: number,
    readonly selection: Selection,
    /** Index of each selected variable's column in [time, ...other columns]. */
    private readonly columnOf: number[],
    /** Bytes parsed so far: always just after a line break. */
    private consumed: number,
    private lines: number,
    opened: FileState
  ) {
    this.state = opened;
  }

  /** Undefined until the header and the line after it (units, or the first row) are complete. */
  static async open(file: LiveFile, state: FileState, options: TailOptions): Promise<CsvLineReader | undefined> {
    const head = await file.read(0, Math.min(state.size, CHUNK_BYTES));
    // A first line longer than the head (tens of thousands of names) has no break in it yet: LF then.
    const lineEnd = lineEndOf(head) ?? (head.length < state.size && !head.includes(CR) ? LF : undefined);
    const complete = lineEnd === undefined ? undefined : await completeLines(file, 0, state.size, lineEnd);
    if (lineEnd === undefined || !complete) {
      return undefined;
    }
    const delimiter = detectDelimiter(head);
    // Lines are whole, so a short row is an error, not a row still being written.
    const builder = new CsvTableBuilder(file.displayName, delimiter, true);
    const records = await feed(builder, file.displayName, complete, delimiter, 0);
    if (records < 2) {
      return undefined;
    }
    const first = builder.takeRows();
    const variables = catalogue(first);
    const index = new VariableIndex(variables);
    const selection = selectVariables(options.variables, (name) => index.find(name));
    const columnOf = selection.variables.map((variable) => variables.indexOf(variable));
    const reader = new CsvLineReader(
      file,
      builder,
      delimiter,
      lineEnd,
      selection,
      columnOf,
      complete.length,
      countByte(complete, lineEnd),
      state
    );
    reader.pending = first;
    await reader.marks.mark(file, 'header', 0, Math.min(complete.length, HEAD_MARK_BYTES));
    await reader.markLastLine(complete, 0);
    return reader;
  }

  refresh(): Promise<string | undefined> {
    return refreshed(this.voided, () => this.measure());
  }

  private async measure(): Promise<string | undefined> {
    if (await this.file.replaced()) {
      return 'the file was replaced (another file now has its name)';
    }
    const state = await this.file.measure();
    if (state.size < this.consumed) {
      return `the file was truncated to ${state.size} bytes (${this.consumed} had been read)`;
    }
    const changed = await this.marks.firstChanged(this.file, state);
    if (changed !== undefined) {
      return `the file was rewritten (its ${changed} changed)`;
    }
    this.state = state;
    return undefined;
  }

  async nextBatch(maxRows: number): Promise<TailRows | undefined> {
    while (!this.pending || this.pendingAt >= this.pending.time.values.length) {
      if (!(await this.readLines())) {
        return undefined;
      }
    }
    const table = this.pending;
    const from = this.pendingAt;
    const end = Math.min(table.time.values.length, from + maxRows);
    this.pendingAt = end;
    const columns = [table.time, ...table.variables];
    const rows: TailRows = {
      firstRow: this.delivered,
      time: table.time.values.subarray(from, end),
      values: this.columnOf.map((column) => columns[column].values.subarray(from, end)),
    };
    this.delivered += end - from;
    return rows;
  }

  /** Parses the next complete lines into `pending`; false when none are on disk yet. */
  private async readLines(): Promise<boolean> {
    const complete = await completeLines(this.file, this.consumed, this.state.size, this.lineEnd);
    if (!complete) {
      return false;
    }
    // A run restarted meanwhile may have rewritten what was just read: the marks tell, before they move on.
    const changed = await this.marks.firstChanged(this.file, this.state);
    if (changed !== undefined) {
      this.voided = `the file was rewritten while it was read (its ${changed} changed)`;
      return false;
    }
    await feed(this.builder, this.file.displayName, complete, this.delimiter, this.lines);
    this.pending = this.builder.takeRows();
    this.pendingAt = 0;
    const start = this.consumed;
    this.consumed += complete.length;
    this.lines += countByte(complete, this.lineEnd);
    await this.markLastLine(complete, start);
    return true;
  }

  /** The last line read: a run restarted under the same name rewrites it. */
  private async markLastLine(complete: Uint8Array, start: number): Promise<void> {
    const previousEnd = complete.lastIndexOf(this.lineEnd, complete.length - 2);
    const lineStart = start + previousEnd + 1;
    await this.marks.mark(this.file, 'last line read', lineStart, start + complete.length - lineStart);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/**
 * The byte that ends lines: LF (also for CRLF files), or CR for the rare files with CR alone.
 * Undefined while the first line break is not on disk yet, or is a CR whose next byte is not.
 */
function lineEndOf(head: Uint8Array): number | undefined {
  const lf = head.indexOf(LF);
  const cr = head.indexOf(CR);
  if (cr === -1 || (lf !== -1 && lf < cr)) {
    return lf === -1 ? undefined : LF;
  }
  if (cr + 1 >= head.length) {
    return undefined;
  }
  return head[cr + 1] === LF ? LF : CR;
}

/**
 * The bytes from `from` up to and including the last line break on disk, or undefined when not
 * one complete line is there yet. A window without a line break grows, up to MAX_LINE_BYTES.
 */
async function completeLines(
  file: LiveFile,
  from: number,
  size: number,
  lineEnd: number
): Promise<Uint8Array | undefined> {
  for (let window = CHUNK_BYTES; ; window *= 2) {
    const length = Math.min(size - from, window);
    if (length <= 0) {
      return undefined;
    }
    const bytes = await file.read(from, length);
    const last = bytes.lastIndexOf(lineEnd);
    if (last !== -1) {
      return bytes.subarray(0, last + 1);
    }
    if (from + length >= size) {
      return undefined;
    }
    if (window >= MAX_LINE_BYTES) {
      throw new DecodeError(file.displayName, 'corrupt', `line at byte ${from} is longer than ${MAX_LINE_BYTES} bytes`);
    }
  }
}

/** Runs complete lines through csv-parse into the builder; returns the number of records. */
async function feed(
  builder: CsvTableBuilder,
  file: string,
  lines: Uint8Array,
  delimiter: CsvDelimiter,
  linesBefore: number
): Promise<number> {
  let records = 0;
  try {
    await parseRecords(once(lines), delimiter, (record, info) => {
      records++;
      builder.accept(record, linesBefore + info.lines);
    });
  } catch (error) {
    if (error instanceof DecodeError) {
      throw error;
    }
    const message =
      error instanceof CsvError
        ? `CSV syntax error: ${error.message}`
        : `CSV file could not be read (${String(error)})`;
    throw new DecodeError(file, 'corrupt', message);
  }
  return records;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function countByte(bytes: Uint8Array, byte: number): number {
  let count = 0;
  for (let at = bytes.indexOf(byte); at !== -1; at = bytes.indexOf(byte, at + 1)) {
    count++;
  }
  return count;
}

/** The catalogue as the CSV decoder builds it (csv/index.ts): time first, with seconds by default. */
function catalogue({ time, variables }: CsvTable): VariableInfo[] {
  return [{ ...catalogueEntry(time), kind: 'time', unit: time.unit ?? 's' }, ...variables.map(catalogueEntry)];
}
