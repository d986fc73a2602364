import { clipRange } from '../clip';
import { DecodeError } from '../errors';
import { FileSource, withFile } from '../file-source';
import { VariableIndex } from '../names';
import type { DecodeOptions, RangeRead, ResultFile, SampledRead, VariableInfo } from '../types';
import { readStoreColumns, type ColumnStoreLayout } from './columnStore';
import { readAclass, readTimeBounds, walkCatalog } from './header';
import { DEFAULT_COLUMN_STORE_MIN_BYTES, FileLayout, dataBytes } from './layoutBuild';
import { assembleValues, uniqueTrajectorySignals, type Location, type LocationTable } from './locations';
import { readSignals, type DataMatrix } from './matrix';
import { memoizeColumns, memoizedColumns, readStats } from './memo';
import { readRecordHeader } from './records';
import { SampledReads } from './sampledReads';
import { parseVersion10 } from './version10';
import { parseVersion11 } from './version11';

// Kept importable from here for the benchmarks, which tune reads around it.
export { DEFAULT_COLUMN_STORE_MIN_BYTES } from './layoutBuild';

/**
 * A Dymola / OpenModelica "Atrajectory" MAT v4 result (version 1.1, or 1.0 "export as plotted").
 * Opening reads only the catalogue (names, descriptions, dataInfo, data_1 and record headers);
 * trajectories are read by position on demand.
 */
export class Mat4TrajectoryFile implements ResultFile {
  readonly format = 'dymola-mat4';
  private readonly index: VariableIndex<VariableInfo>;
  private time: Float64Array | undefined;
  private timeLoading: Promise<Float64Array> | undefined;
  private readonly layout: FileLayout;
  private readonly sampled: SampledReads;
  /** Slot of each variable in the location table, built on the first read. */
  private slots: Map<VariableInfo, number> | undefined;

  private constructor(
    readonly path: string,
    readonly displayName: string,
    readonly sizeBytes: number,
    readonly modifiedMs: number,
    readonly variables: readonly VariableInfo[],
    private readonly locations: LocationTable,
    private readonly data2: DataMatrix,
    readonly startTime: number | null,
    readonly stopTime: number | null,
    private readonly options: DecodeOptions
  ) {
    this.index = new VariableIndex(variables);
    const opened = { path, displayName, sizeBytes, modifiedMs, data2, options };
    this.layout = new FileLayout(opened);
    this.sampled = new SampledReads(opened, this.layout);
  }

  get timePointCount(): number {
    return this.data2.samples;
  }

  static async open(path: string, displayName = path, options: DecodeOptions = {}): Promise<Mat4TrajectoryFile> {
    return withFile(path, displayName, (source) => Mat4TrajectoryFile.fromSource(source, options));
  }

  static async fromSource(source: FileSource, options: DecodeOptions = {}): Promise<Mat4TrajectoryFile> {
    const aclassRecord = await readRecordHeader(source, 0);
    if (aclassRecord.name !== 'Aclass' || !aclassRecord.isText) {
      throw new DecodeError(
        source.displayName,
        'not_a_trajectory',
        `MAT v4 file whose first matrix is "${aclassRecord.name}", not the "Aclass" text of a Dymola/OpenModelica result`
      );
    }
    const aclass = await readAclass(source, aclassRecord);
    const catalog = await walkCatalog(source, aclassRecord.end);
    const parsed =
      aclass.version === '1.0' ? await parseVersion10(source, catalog) : await parseVersion11(source, aclass, catalog);
    const [startTime, stopTime] = await readTimeBounds(source, parsed.data2, parsed.data1);
    return new Mat4TrajectoryFile(
      source.path,
      source.displayName,
      source.size,
      source.modifiedMs,
      parsed.variables,
      parsed.locations,
      parsed.data2,
      startTime,
      stopTime,
      options
    );
  }

  findVariable(name: string): VariableInfo | undefined {
    return this.index.find(name);
  }

  readTime(): Promise<Float64Array> {
    if (this.time) {
      return Promise.resolve(this.time);
    }
    if (!this.timeLoading) {
      this.timeLoading = withFile(this.path, this.displayName, (source) =>
        readSignals(source, this.data2, [0], 0, this.data2.samples)
      ).then(([time]) => (this.time = time));
      this.timeLoading.catch(() => (this.timeLoading = undefined));
    }
    return this.timeLoading;
  }

  async readValues(variables: readonly VariableInfo[], first: number, end: number): Promise<Float64Array[]> {
    const locations = variables.map((variable) => this.locationOf(variable));
    const signals = uniqueTrajectorySignals(locations);
    const columns = await this.readTrajectorySignals(signals, first, end);
    this.layout.start();
    return assembleValues(variables, locations, signals, columns, Math.max(0, end - first));
  }

  /**
   * Time and values clipped to `[from, to]`. The first read of a file gets time and values in one
   * pass over the data, as a binTrans file stores them interleaved.
   */
  async readRange(variables: readonly VariableInfo[], from?: number, to?: number): Promise<RangeRead> {
    if (!this.time && this.memoizable()) {
      await this.allColumns();
    }
    if (this.time) {
      const range = clipRange(this.time, from, to);
      const values = await this.readValues(variables, range.first, range.end);
      return { time: this.time.subarray(range.first, range.end), values };
    }
    const locations = variables.map((variable) => this.locationOf(variable));
    const signals = uniqueTrajectorySignals(locations);
    const [time, ...columns] = await withFile(this.path, this.displayName, (source) =>
      readSignals(source, this.data2, [0, ...signals], 0, this.data2.samples)
    );
    this.time = time;
    this.layout.start();
    const range = clipRange(time, from, to);
    const clipped = columns.map((column) => column.subarray(range.first, range.end));
    const values = assembleValues(variables, locations, signals, clipped, range.end - range.first);
    return { time: time.subarray(range.first, range.end), values };
  }

  /**
   * M4-downsampled trajectories without whole columns in memory (see sampledReads.ts): for large
   * binTrans files only. Small files are served from memory by readRange instead.
   */
  async readSampled(
    variables: readonly VariableInfo[],
    maxPoints: number,
    from?: number,
    to?: number
  ): Promise<SampledRead | undefined> {
    if (!this.data2.samplesContiguous || this.memoizable() || this.data2.samples === 0) {
      return undefined;
    }
    const wanted = variables.map((variable) => this.locationOf(variable));
    if (wanted.some((location) => location.matrix !== 'data_2')) {
      return undefined;
    }
    const store = this.layout.store;
    const time = store && !this.time ? await this.readStoredTime(store) : this.time;
    return time
      ? this.sampled.sampleInMemoryTime(time, wanted, maxPoints, from, to)
      : this.sampled.sampleFromFile(wanted, maxPoints, from, to);
  }

  /** Resolves once the per-variable layout is built (true), or when none will be (false). */
  layoutReady(): Promise<boolean> {
    return this.layout.ready();
  }

  private async readStoredTime(store: ColumnStoreLayout): Promise<Float64Array | undefined> {
    try {
      [this.time] = await readStoreColumns(store, [0], 0, this.data2.samples);
    } catch (error) {
      // A layout deleted meanwhile: the file path below serves this read.
      this.layout.drop(error);
    }
    return this.time;
  }

  private async readTrajectorySignals(signals: readonly number[], first: number, end: number): Promise<Float64Array[]> {
    if (signals.length === 0) {
      return [];
    }
    const store = this.layout.store;
    if (store) {
      try {
        readStats.layoutReads++;
        return await readStoreColumns(store, signals, first, end);
      } catch (error) {
        // The cache limit may delete a layout in use: read the file itself and rebuild it later.
        this.layout.drop(error);
      }
    }
    if (this.memoizable()) {
      const all = await this.allColumns();
      // Shared, read-only views: callers that change values (negated aliases) copy first.
      return signals.map((signal) => all[signal].subarray(first, end));
    }
    readStats.fileReads++;
    return withFile(this.path, this.displayName, (source) => readSignals(source, this.data2, signals, first, end));
  }

  /** Small binTrans files are read whole anyway: their columns are kept in memory (see memo.ts). */
  private memoizable(): boolean {
    const { columnStoreMinBytes = DEFAULT_COLUMN_STORE_MIN_BYTES } = this.options;
    return this.data2.samplesContiguous && this.data2.samples > 0 && dataBytes(this.data2) < columnStoreMinBytes;
  }

  private async allColumns(): Promise<Float64Array[]> {
    const key = `${this.path}\0${this.sizeBytes}\0${this.modifiedMs}`;
    let columns = memoizedColumns(key);
    if (!columns) {
      const every = Array.from({ length: this.data2.signals }, (_, signal) => signal);
      columns = await withFile(this.path, this.displayName, (source) =>
        readSignals(source, this.data2, every, 0, this.data2.samples)
      );
      memoizeColumns(key, columns);
    }
    this.time = columns[0];
    return columns;
  }

  /** By identity, or by name for a VariableInfo from another decode of the same file (e.g. before it changed). */
  private locationOf(variable: VariableInfo): Location {
    this.slots ??= new Map(this.variables.map((v, slot) => [v, slot]));
    const own = this.slots.has(variable) ? variable : this.index.find(variable.name);
    const slot = own === undefined ? undefined : this.slots.get(own);
    if (slot === undefined) {
      throw new DecodeError(this.displayName, 'unknown_variable', `has no variable "${variable.name}"`);
    }
    return this.locations.at(slot);
  }
}
