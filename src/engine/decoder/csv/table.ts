import { parseDescription } from '../description';
import { DecodeError } from '../errors';
import { readBoolean, readNumber } from './cells';
import type { CsvDelimiter } from './dialect';

/** One named column of a CSV result table, decoded. */
export interface CsvColumn {
  name: string;
  unit: string | null;
  displayUnit: string | null;
  /** `Boolean` when every cell was `true`/`false`, otherwise null. */
  valueType: string | null;
  values: Float64Array;
}

export interface CsvTable {
  time: CsvColumn;
  /** The other named columns, in file order. */
  variables: CsvColumn[];
}

interface Header {
  /** The named columns, in file order. */
  columns: HeaderColumn[];
  timeIndex: number;
  rows: RowBlocks;
  /** Reused for each row before it is appended. */
  row: Float64Array;
}

interface HeaderColumn {
  /** Position of the column's cell in each record. */
  cell: number;
  name: string;
  unit: string | null;
  displayUnit: string | null;
  valueType: string | null;
  sawNumber: boolean;
  sawBoolean: boolean;
}

// `T [K]` or `p [Pa|bar]`: a unit bracket after a space, so `x[1,1]` stays a name.
const UNIT_SUFFIX = /^.*\S\s+\[[^[\]]*\]$/;
// Only the first column may be recognised by a looser name, e.g. `t`, `Time (s)` or `time_s`.
const TIME_LIKE = /^(?:t|time)(?:[\s_(].*)?$/i;
// A second header row with units is recognised by the unit of its time cell.
const TIME_UNIT = /^\[?\s*(?:s|secs?|seconds?|ms|min|h)\s*\]?$/;
const MAX_QUOTED_CELL = 40;

function quoteCell(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED_CELL ? `${text.slice(0, MAX_QUOTED_CELL)}…` : text);
}

function headerColumn(text: string, cell: number): HeaderColumn {
  const base = { cell, sawNumber: false, sawBoolean: false };
  if (!UNIT_SUFFIX.test(text)) {
    return { ...base, name: text, unit: null, displayUnit: null, valueType: null };
  }
  const parts = parseDescription(text);
  return { ...base, name: parts.text, unit: parts.unit, displayUnit: parts.displayUnit, valueType: parts.valueType };
}

function findTimeColumn(columns: readonly HeaderColumn[]): number {
  const exact = columns.findIndex((column) => column.name === 'time' || column.name === 'Time');
  if (exact !== -1) {
    return exact;
  }
  return columns.length > 0 && TIME_LIKE.test(columns[0].name) ? 0 : -1;
}

/**
 * Rows collected in fixed-size row-major blocks, so that growing never copies what was read and
 * the final split into columns needs only one more copy of the values.
 */
class RowBlocks {
  private readonly blocks: Float64Array[] = [];
  private current: Float64Array;
  private rowsInCurrent = 0;
  private readonly blockRows: number;
  rowCount = 0;

  constructor(private readonly width: number) {
    this.blockRows = Math.max(16, Math.floor(131072 / Math.max(1, width)));
    this.current = new Float64Array(this.blockRows * width);
  }

  append(row: Float64Array): void {
    if (this.rowsInCurrent === this.blockRows) {
      this.blocks.push(this.current);
      this.current = new Float64Array(this.blockRows * this.width);
      this.rowsInCurrent = 0;
    }
    this.current.set(row, this.rowsInCurrent * this.width);
    this.rowsInCurrent++;
    this.rowCount++;
  }

  /** Splits the rows into one array per column; the blocks are released as they are copied. */
  toColumns(): Float64Array[] {
    const columns = Array.from({ length: this.width }, () => new Float64Array(this.rowCount));
    const blocks = [...this.blocks.splice(0), this.current.subarray(0, this.rowsInCurrent * this.width)];
    let row = 0;
    for (const block of blocks) {
      for (let offset = 0; offset < block.length; offset += this.width, row++) {
        for (let c = 0; c < this.width; c++) {
          columns[c][row] = block[offset + c];
        }
      }
    }
    return columns;
  }
}

function isUnitRow({ columns, timeIndex }: Header, record: string[]): boolean {
  return TIME_UNIT.test((record[columns[timeIndex].cell] ?? '').trim());
}

function readUnits({ columns }: Header, record: string[]): void {
  for (const column of columns) {
    const unit = (record[column.cell] ?? '').trim().replace(/^\[\s*(.*?)\s*\]$/, '$1');
    column.unit = column.unit ?? (unit || null);
  }
}

/**
 * Turns the records of a CSV result (header first) into columns, checking as it goes: every cell
 * of a named column is a number, `true`/`false` or empty (NaN; pandas writes missing values so),
 * and time is a finite number that never decreases. Columns without a name (a trailing comma, a
 * pandas index) are ignored.
 */
export class CsvTableBuilder {
  private header: Header | undefined;
  private previousTime = -Infinity;
  private recordCount = 0;
  private shortRowProblem: string | undefined;
  private readonly decimalComma: boolean;

  /**
   * `endsWithNewline` false means the last line may still be being written: a short last row is
   * then dropped instead of failing the file.
   */
  constructor(
    private readonly file: string,
    delimiter: CsvDelimiter,
    private readonly endsWithNewline: boolean
  ) {
    this.decimalComma = delimiter !== ',';
  }

  /** Takes the next record; `line` is its (last) line number in the file, for messages. */
  accept(record: string[], line: number): void {
    this.recordCount++;
    if (this.shortRowProblem !== undefined) {
      throw new DecodeError(this.file, 'corrupt', this.shortRowProblem);
    }
    if (!this.header) {
      this.header = this.readHeader(record);
    } else if (this.recordCount === 2 && isUnitRow(this.header, record)) {
      readUnits(this.header, record);
    } else {
      this.readDataRow(this.header, record, line);
    }
  }

  finish(): CsvTable {
    const header = this.requireHeader();
    if (header.rows.rowCount === 0) {
      throw new DecodeError(this.file, 'not_a_trajectory', 'CSV file without data rows (only a header)');
    }
    return this.split(header);
  }

  /**
   * The rows accepted since the previous call (none: empty columns), split as finish() splits
   * them, for a file read while it grows (live/tail-csv.ts). The builder goes on accepting rows.
   */
  takeRows(): CsvTable {
    const header = this.requireHeader();
    const table = this.split(header);
    header.rows = new RowBlocks(header.columns.length);
    return table;
  }

  private requireHeader(): Header {
    if (!this.header) {
      throw new DecodeError(this.file, 'not_a_trajectory', 'CSV file without a header line');
    }
    return this.header;
  }

  private split({ columns, rows, timeIndex }: Header): CsvTable {
    const values = rows.toColumns();
    const decoded = columns.map((column, i): CsvColumn => ({
      name: column.name,
      unit: column.unit,
      displayUnit: column.displayUnit,
      valueType: column.valueType ?? (column.sawBoolean && !column.sawNumber ? 'Boolean' : null),
      values: values[i],
    }));
    const [time] = decoded.splice(timeIndex, 1);
    return { time, variables: decoded };
  }

  private readHeader(record: string[]): Header {
    const columns: HeaderColumn[] = [];
    const seen = new Map<string, number>();
    record.forEach((text, cell) => {
      const column = headerColumn(text.trim(), cell);
      if (column.name === '') {
        return;
      }
      const earlier = seen.get(column.name);
      if (earlier !== undefined) {
        throw new DecodeError(
          this.file,
          'not_a_trajectory',
          `not a plain result table: column "${column.name}" appears twice in the header (columns ${earlier + 1} and ${cell + 1})`
        );
      }
      seen.set(column.name, cell);
      columns.push(column);
    });
    const timeIndex = findTimeColumn(columns);
    if (timeIndex === -1) {
      const first =
        columns.length > 0 ? `the first column is ${quoteCell(columns[0].name)}` : 'the header has no names';
      throw new DecodeError(
        this.file,
        'not_a_trajectory',
        `CSV file without a numeric time column: expected a column "time" or "Time", or a first column named like time (${first})`
      );
    }
    if (columns.length < 2) {
      throw new DecodeError(this.file, 'not_a_trajectory', 'CSV file with a time column only, no variables');
    }
    return { columns, timeIndex, rows: new RowBlocks(columns.length), row: new Float64Array(columns.length) };
  }

  private readDataRow({ columns, timeIndex, rows, row }: Header, record: string[], line: number): void {
    if (!this.hasAllCells(record, columns, line)) {
      return;
    }
    for (let i = 0; i < columns.length; i++) {
      row[i] = this.readValue(record[columns[i].cell], columns[i], i === timeIndex, line);
    }
    rows.append(row);
  }

  /** False for a short last row of a file still being written, which is left out. */
  private hasAllCells(record: string[], columns: readonly HeaderColumn[], line: number): boolean {
    const needed = columns[columns.length - 1].cell + 1;
    if (record.length >= needed) {
      return true;
    }
    const problem = `row ${line} has ${record.length} cells but the header names ${needed} columns`;
    if (this.endsWithNewline) {
      throw new DecodeError(this.file, 'corrupt', problem);
    }
    // Only acceptable as the very last record; accept() fails if another one follows.
    this.shortRowProblem = problem;
    return false;
  }

  private readValue(text: string, column: HeaderColumn, isTime: boolean, line: number): number {
    const cell = text.trim();
    if (isTime) {
      return this.readTime(cell, column, line);
    }
    if (cell === '') {
      return NaN;
    }
    const number = readNumber(cell, this.decimalComma);
    if (number !== undefined) {
      column.sawNumber = true;
      return number;
    }
    const boolean = readBoolean(cell);
    if (boolean !== undefined) {
      column.sawBoolean = true;
      return boolean;
    }
    throw new DecodeError(
      this.file,
      'corrupt',
      `row ${line}, column "${column.name}": ${quoteCell(cell)} is not a number`
    );
  }

  private readTime(cell: string, column: HeaderColumn, line: number): number {
    const time = cell === '' ? undefined : readNumber(cell, this.decimalComma);
    if (time === undefined || !Number.isFinite(time)) {
      const what = time === undefined ? 'is not a number' : 'is not a finite time';
      throw new DecodeError(this.file, 'corrupt', `row ${line}, column "${column.name}": ${quoteCell(cell)} ${what}`);
    }
    if (time < this.previousTime) {
      throw new DecodeError(
        this.file,
        'corrupt',
        `row ${line}, column "${column.name}": time goes back from ${this.previousTime} to ${time} (time must not decrease)`
      );
    }
    this.previousTime = time;
    return time;
  }
}
