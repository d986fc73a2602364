/**
 * Result files that grow on disk the way running solvers write them, for the live tail's tests,
 * the backend stream's Go host test and benches.
 *
 * A GrowthImage is the complete file, built by SimViz's own writers, plus where its rows are. A
 * GrowingFile writes that image to its path piece by piece, as a solver's buffered writes reach
 * the disk: the catalogue first, then rows, cut anywhere; data_2's column count stays 0 until it
 * is patched, as OpenModelica leaves it until the run ends (or patches it every N+1 steps with
 * `-mat_sync=N`). It can also truncate, restart and replace the file.
 *
 * As a command (for tests in other languages), it writes a deterministic run that grows over time:
 *   tsx tests/support/growing.ts OUT [--format mat|csv] [--rows 2000] [--rows-per-step 50]
 *     [--step-ms 100] [--sync N] [--precision float32|float64]
 * and prints `{"rows","bytes"}` when the run is complete.
 */
import { mkdtemp, open, readFile, rename, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { openResultFile } from '../../src/engine/decoder';
import { FileSource } from '../../src/engine/decoder/file-source';
import { elementSize, readRecordHeader } from '../../src/engine/decoder/mat4/records';
import type { TailEvent } from '../../src/engine/live/tail';
import { writeResultFile, type ResultData, type ResultSpec } from '../../src/engine/writer/mat4-writer';

export interface GrowthImage {
  /** The complete file as it is once the run has ended (data_2's column count patched). */
  final: Uint8Array;
  /** Offset of the first row: everything before is the catalogue (and data_2's header). */
  dataOffset: number;
  /** Offset of the first byte of every row, and one past the last row's end. */
  rowEnds: number[];
  /** MAT v4 only: the offset of data_2's ncols field and the file's byte order. */
  ncols?: { offset: number; littleEndian: boolean };
}

export function rowCount(image: GrowthImage): number {
  return image.rowEnds.length - 1;
}

/** A binTrans MAT v4 result written by the project's writer, with where its rows lie. */
export async function matImage(spec: ResultSpec, data: ResultData): Promise<GrowthImage> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'simviz-growth-'));
  try {
    const file = path.join(scratch, 'image.mat');
    await writeResultFile(file, spec, data);
    const final = new Uint8Array(await readFile(file));
    const data2 = await findRecord(file, 'data_2');
    const rowBytes = data2.rows * elementSize(data2.elementType);
    const rowEnds = Array.from({ length: data.time.length + 1 }, (_, row) => data2.dataOffset + row * rowBytes);
    return {
      final,
      dataOffset: data2.dataOffset,
      rowEnds,
      ncols: { offset: data2.offset + 8, littleEndian: data2.littleEndian },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function findRecord(file: string, name: string): Promise<Awaited<ReturnType<typeof readRecordHeader>>> {
  const source = await FileSource.open(file);
  try {
    for (let offset = 0; offset < source.size;) {
      const record = await readRecordHeader(source, offset);
      if (record.name === name) {
        return record;
      }
      offset = record.end;
    }
    throw new Error(`${file} has no ${name} matrix`);
  } finally {
    await source.close();
  }
}

export interface CsvSpec {
  /** Header cells, time first (e.g. `time`, `x [m]`). */
  header: string[];
  /** A second header line of units, as some exports write. */
  units?: string[];
  /** One array of values per row, time first. */
  rows: number[][];
  lineEnd?: '\n' | '\r\n';
  delimiter?: ',' | ';' | '\t';
}

/** A CSV result as OpenModelica writes it (one line per step), with where its lines lie. */
export function csvImage({ header, units, rows, lineEnd = '\n', delimiter = ',' }: CsvSpec): GrowthImage {
  const head = [header, ...(units ? [units] : [])].map((cells) => cells.join(delimiter) + lineEnd).join('');
  const lines = rows.map((row) => row.map(formatCell).join(delimiter) + lineEnd);
  const final = new Uint8Array(Buffer.from(head + lines.join(''), 'utf8'));
  const rowEnds = [Buffer.byteLength(head)];
  for (const line of lines) {
    rowEnds.push(rowEnds[rowEnds.length - 1] + Buffer.byteLength(line));
  }
  return { final, dataOffset: rowEnds[0], rowEnds };
}

function formatCell(value: number): string {
  // Shortest round trip, so that the parsed number is the written one.
  return Number.isNaN(value) ? 'NaN' : String(value);
}

/** The image's bytes with data_2's column count as a running solver has it on disk. */
function withColumns(image: GrowthImage, bytes: Uint8Array, start: number, columns: number): Uint8Array {
  const field = image.ncols;
  if (!field || start >= field.offset + 4 || start + bytes.length <= field.offset) {
    return bytes;
  }
  const copy = Uint8Array.from(bytes);
  const value = new Uint8Array(4);
  new DataView(value.buffer).setInt32(0, columns, field.littleEndian);
  for (let i = 0; i < 4; i++) {
    const at = field.offset + i - start;
    if (at >= 0 && at < copy.length) {
      copy[at] = value[i];
    }
  }
  return copy;
}

export class GrowingFile {
  /** Bytes of the image on disk. */
  written = 0;
  /** data_2's column count on disk. */
  columns = 0;

  constructor(
    readonly path: string,
    private image: GrowthImage
  ) {}

  get rowsOnDisk(): number {
    return Math.max(0, this.image.rowEnds.filter((end) => end <= this.written).length - 1);
  }

  get complete(): boolean {
    return this.written >= this.image.final.length;
  }

  /** Creates the file empty (a solver has opened it, nothing is written yet). */
  async create(): Promise<void> {
    await (await open(this.path, 'w')).close();
    this.written = 0;
    this.columns = 0;
  }

  /** Writes the next `count` bytes of the image (fewer at its end). */
  async append(count: number): Promise<void> {
    const end = Math.min(this.image.final.length, this.written + Math.max(0, count));
    await this.writeAt(
      this.written,
      withColumns(this.image, this.image.final.subarray(this.written, end), this.written, this.columns)
    );
    this.written = end;
  }

  /** Writes up to byte `offset` of the image. */
  appendTo(offset: number): Promise<void> {
    return this.append(offset - this.written);
  }

  /** Writes whole rows up to row `rows` (the catalogue first if it is not written yet). */
  appendRows(rows: number): Promise<void> {
    return this.appendTo(this.image.rowEnds[Math.min(rows, rowCount(this.image))]);
  }

  /** Patches data_2's column count in place, as OpenModelica's updateHeader_matVer4 does. */
  async patchColumns(columns = this.rowsOnDisk): Promise<void> {
    this.columns = columns;
    const field = this.image.ncols;
    if (field && this.written >= field.offset + 4) {
      const value = new Uint8Array(4);
      new DataView(value.buffer).setInt32(0, columns, field.littleEndian);
      await this.writeAt(field.offset, value);
    }
  }

  /** The rest of the image, then the final column count: the run has ended. */
  async finish(): Promise<void> {
    await this.append(this.image.final.length);
    await this.patchColumns(rowCount(this.image));
  }

  /** Cuts the file to `size` bytes. */
  async truncate(size: number): Promise<void> {
    await truncate(this.path, size);
    this.written = Math.min(this.written, size);
  }

  /** A run restarted under the same name: truncated in place (same inode, as fopen "wb+" does), then its first `bytes` written. */
  async restart(image: GrowthImage, bytes = 0): Promise<void> {
    await this.truncate(0);
    this.image = image;
    this.columns = 0;
    await this.append(bytes);
  }

  /** A new run's file, with its first `bytes` written, renamed over this one (a new inode). */
  async replace(image: GrowthImage, bytes: number): Promise<void> {
    const staged = `${this.path}.staged`;
    const next = new GrowingFile(staged, image);
    await next.create();
    await next.append(bytes);
    await rename(staged, this.path);
    this.image = image;
    this.written = next.written;
    this.columns = 0;
  }

  /** Overwrites bytes in place (e.g. garbage over a header). */
  async overwrite(offset: number, bytes: Uint8Array): Promise<void> {
    await this.writeAt(offset, bytes);
  }

  private async writeAt(position: number, bytes: Uint8Array): Promise<void> {
    const handle = await open(this.path, 'r+');
    try {
      await handle.write(bytes, 0, bytes.length, position);
    } finally {
      await handle.close();
    }
  }
}

/** A MAT v4 record (header, name, float64 values), e.g. a matrix a writer appends after data_2. */
export function matRecord(name: string, values: number[], littleEndian = true): Uint8Array {
  const nameBytes = Buffer.from(`${name}\0`, 'latin1');
  const bytes = new Uint8Array(20 + nameBytes.length + values.length * 8);
  const view = new DataView(bytes.buffer);
  // Type 0 (float64, numeric) in the file's byte order (M = 1 for big-endian), 1 row.
  [littleEndian ? 0 : 1000, 1, values.length, 0, nameBytes.length].forEach((value, i) =>
    view.setInt32(i * 4, value, littleEndian)
  );
  bytes.set(nameBytes, 20);
  values.forEach((value, i) => view.setFloat64(20 + nameBytes.length + i * 8, value, littleEndian));
  return bytes;
}

/**
 * A tail's events as a consumer keeps them: the rows since the last reset. Every batch must start
 * where the previous one ended (no row lost, none twice) and carry one array per variable.
 */
export class TailFollower {
  time: number[] = [];
  values: number[][] = [];
  readonly resets: string[] = [];

  accept(events: TailEvent[]): void {
    for (const event of events) {
      if (event.kind === 'reset') {
        this.resets.push(event.reason);
        this.time = [];
        this.values = [];
        continue;
      }
      const { firstRow, time, values } = event.rows;
      if (firstRow !== this.time.length) {
        throw new Error(`a batch starts at row ${firstRow} after ${this.time.length} rows`);
      }
      if (this.time.length > 0 && values.length !== this.values.length) {
        throw new Error(`a batch has ${values.length} value arrays, the previous ones ${this.values.length}`);
      }
      if (values.some((column) => column.length !== time.length)) {
        throw new Error(`a batch has ${time.length} time points but value arrays of other lengths`);
      }
      append(this.time, time);
      values.forEach((column, k) => append((this.values[k] ??= []), column));
    }
  }
}

/**
 * Fails unless the followed rows are exactly the whole-file read of the project's decoder (every
 * bit: NaN, -0), for the variables the tail resolved.
 */
export async function expectSameAsDecoder(
  follower: TailFollower,
  file: string,
  names: readonly string[]
): Promise<void> {
  const result = await openResultFile(file);
  const variables = names.map((name) => {
    const variable = result.findVariable(name);
    if (!variable) {
      throw new Error(`the decoder finds no "${name}" in ${file}`);
    }
    return variable;
  });
  const time = await result.readTime();
  const values = await result.readValues(variables, 0, time.length);
  sameNumbers('time', follower.time, time);
  values.forEach((column, k) => sameNumbers(names[k], follower.values[k] ?? [], column));
}

function append(target: number[], source: ArrayLike<number>): void {
  for (let i = 0; i < source.length; i++) {
    target.push(source[i]);
  }
}

function sameNumbers(what: string, got: ArrayLike<number>, expected: ArrayLike<number>): void {
  if (got.length !== expected.length) {
    throw new Error(`${what}: ${got.length} values followed, the decoder reads ${expected.length}`);
  }
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], expected[i])) {
      throw new Error(`${what}[${i}]: followed ${got[i]}, the decoder reads ${expected[i]}`);
    }
  }
}

/** The oscillator's run: plain arrays, so that tests can spread and index them. */
export type OscillatorRun = {
  spec: ResultSpec;
  data: { time: number[]; trajectories: Record<string, number[]> };
};

/** A damped oscillator with a parameter, an alias and a negated alias: the command's run. */
export function oscillatorRun(rows: number, precision: 'float32' | 'float64' = 'float64'): OscillatorRun {
  const time = Array.from({ length: rows }, (_, i) => i * 0.01);
  const x = time.map((t) => Math.exp(-t / 5) * Math.cos(2 * t));
  const v = time.map((t) => Math.exp(-t / 5) * (-2 * Math.sin(2 * t) - Math.cos(2 * t) / 5));
  const spec: ResultSpec = {
    startTime: 0,
    stopTime: time[time.length - 1] ?? 0,
    options: { flavour: 'openmodelica', precision },
    variables: [
      { kind: 'parameter', name: 'k', value: 4, unit: 'N/m' },
      { kind: 'trajectory', name: 'x', unit: 'm' },
      { kind: 'trajectory', name: 'der(x)', unit: 'm/s' },
      { kind: 'alias', name: 'y', of: 'x', unit: 'm' },
      { kind: 'alias', name: 'minusV', of: 'der(x)', negate: true, unit: 'm/s' },
    ],
  };
  return { spec, data: { time, trajectories: { x, 'der(x)': v } } };
}

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
}

async function main(args: string[]): Promise<void> {
  const out = args[0];
  if (!out || out.startsWith('--')) {
    throw new Error(
      'usage: growing.ts OUT [--format mat|csv] [--rows N] [--rows-per-step K] [--step-ms MS] [--sync N] [--precision float32|float64]'
    );
  }
  const rows = Number(option(args, 'rows', '2000'));
  const perStep = Number(option(args, 'rows-per-step', '50'));
  const stepMs = Number(option(args, 'step-ms', '100'));
  const sync = Number(option(args, 'sync', '0'));
  const precision = option(args, 'precision', 'float64') === 'float32' ? 'float32' : 'float64';
  const run = oscillatorRun(rows, precision);
  const image =
    option(args, 'format', 'mat') === 'csv'
      ? csvImage({
          header: ['time', 'x', 'der(x)'],
          rows: Array.from(run.data.time, (t, i) => [
            t,
            run.data.trajectories.x[i],
            run.data.trajectories['der(x)'][i],
          ]),
        })
      : await matImage(run.spec, run.data);
  const file = new GrowingFile(out, image);
  await file.create();
  await file.appendTo(image.dataOffset);
  for (let done = 0; done < rows; done += perStep) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    await file.appendRows(done + perStep);
    if (sync > 0 && file.rowsOnDisk - file.columns > sync) {
      await file.patchColumns();
    }
  }
  await file.finish();
  process.stdout.write(`${JSON.stringify({ rows, bytes: image.final.length })}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
