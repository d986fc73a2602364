import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { clipRange, clipRangeAt, type SampleRange } from '../clip';
import { DecodeError } from '../errors';
import { FileSource, withFile } from '../file-source';
import { VariableIndex } from '../names';
import type { DecodeOptions, RangeRead, ResultFile, SampledRead, VariableInfo } from '../types';
import {
  ColumnStoreEnded,
  buildColumnStore,
  columnStoreBytes,
  columnStoreLayout,
  readStoreColumns,
  readStoreSummaries,
  type ColumnStoreLayout,
} from './columnStore';
import { decodeNumbers } from './elements';
import { readSignals, type DataMatrix } from './matrix';
import { memoizeColumns, memoizedColumns, readStats } from './memo';
import { sampleRows, sampleStore, type SampledSeries } from './sampled';
import {
  planSummarized,
  sampleSummarized,
  summariesPayOff,
  summaryScratchBytes,
} from './summarized';
import type { SignalSummaries, SummarizedPlan } from './summaryTypes';
import { forgetSummaries, keepSummariesInMemory, summariesInMemory } from './summaryMemory';
import { cacheWriteHealth } from '../../cache/write-health';
import { scratchPool } from '../../util/scratch';
import { ElementType, elementSize, readRecordHeader, requireComplete, type Mat4Record } from './records';
import { decodeDescriptionMatrix, decodeTextMatrix, type DescriptionColumns } from './text';

/** Catalogue matrices (names, descriptions, dataInfo, data_1) above this size are rejected as corrupt. */
const MAX_CATALOG_MATRIX_BYTES = 1024 * 1024 * 1024;
const MAX_RECORDS = 4096;

interface AclassInfo {
  version: string;
  transposed: boolean;
}

/** Where a variable's values live: a signal of data_1 or data_2, possibly negated. */
interface Location {
  matrix: 'data_1' | 'data_2';
  signal: number;
  negate: boolean;
}

/**
 * Every variable's Location, packed (variables[j] <-> slot j). A 25,000-variable catalogue spent
 * a large share of its time collecting one Location object and Map entry per variable; reads
 * need the locations of a few variables only, so objects are made on demand.
 */
class LocationTable {
  private readonly signals: Int32Array;
  private readonly flags: Uint8Array;
  private size = 0;

  constructor(capacity: number) {
    this.signals = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  push(matrix: Location['matrix'], signal: number, negate: boolean): void {
    this.signals[this.size] = signal;
    this.flags[this.size] = (matrix === 'data_1' ? 1 : 0) | (negate ? 2 : 0);
    this.size++;
  }

  at(slot: number): Location {
    const flags = this.flags[slot];
    return { matrix: flags & 1 ? 'data_1' : 'data_2', signal: this.signals[slot], negate: (flags & 2) !== 0 };
  }
}

interface CatalogMatrices {
  records: Map<string, Mat4Record>;
  data2Cols: number;
}

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
  /** Whether the time vector never decreases and has no NaN (block summaries need bucket edges by binary search). */
  private timeOrdered: boolean | undefined;
  private store: ColumnStoreLayout | undefined;
  private storeBuild: Promise<void> | undefined;
  private options: DecodeOptions = {};
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
    readonly stopTime: number | null
  ) {
    this.index = new VariableIndex(variables);
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
    const file = new Mat4TrajectoryFile(
      source.path,
      source.displayName,
      source.size,
      source.modifiedMs,
      parsed.variables,
      parsed.locations,
      parsed.data2,
      startTime,
      stopTime
    );
    file.options = options;
    return file;
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
    this.startLayoutBuild();
    return this.assemble(variables, locations, signals, columns, Math.max(0, end - first));
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
    this.startLayoutBuild();
    const range = clipRange(time, from, to);
    const clipped = columns.map((column) => column.subarray(range.first, range.end));
    const values = this.assemble(variables, locations, signals, clipped, range.end - range.first);
    return { time: time.subarray(range.first, range.end), values };
  }

  /**
   * M4-downsampled trajectories without whole columns in memory (see sampled.ts): for large
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
    const store = this.store;
    const time = store && !this.time ? await this.readStoredTime(store) : this.time;
    return time
      ? this.sampleInMemoryTime(time, wanted, maxPoints, from, to)
      : this.sampleFromFile(wanted, maxPoints, from, to);
  }

  private async readStoredTime(store: ColumnStoreLayout): Promise<Float64Array | undefined> {
    try {
      [this.time] = await readStoreColumns(store, [0], 0, this.data2.samples);
    } catch (error) {
      // A layout deleted meanwhile: the file path below serves this read.
      this.dropLayout(error);
    }
    return this.time;
  }

  private async sampleInMemoryTime(
    time: Float64Array,
    wanted: Location[],
    maxPoints: number,
    from?: number,
    to?: number
  ): Promise<SampledRead | undefined> {
    const range = clipRange(time, from, to);
    const count = range.end - range.first;
    if (!this.worthStreaming(count, wanted.length, maxPoints)) {
      return undefined;
    }
    const ends = Float64Array.of(time[range.first], time[range.end - 1]);
    const store = this.store;
    readStats[store ? 'layoutReads' : 'fileReads']++;
    const series = store
      ? await this.sampleLayout(store, time, wanted, range, maxPoints).catch((error: unknown) => this.dropLayout(error))
      : await withFile(this.path, this.displayName, (source) =>
          sampleRows(source, this.data2, wanted, range, [ends[0], ends[1]], maxPoints)
        );
    if (!series) {
      // The layout went away under us (cache limit): fall back to the whole-column path.
      return undefined;
    }
    return { pointsInRange: count, ends, series };
  }

  /** From the block summaries where they read less than the stored columns, else from the columns. */
  private async sampleLayout(
    store: ColumnStoreLayout,
    time: Float64Array,
    wanted: Location[],
    range: SampleRange,
    maxPoints: number
  ): Promise<SampledSeries> {
    this.timeOrdered ??= isOrdered(time);
    if (this.timeOrdered) {
      const rowBytes = this.data2.signals * elementSize(this.data2.elementType);
      const storeBytes = elementSize(store.storeType);
      const plan = planSummarized(time, range, maxPoints, this.data2.samples, rowBytes);
      const kept = wanted.map((w) => summariesInMemory(store, w.signal));
      const allKept = kept.every((summaries) => summaries !== undefined);
      if (summariesPayOff(plan, range, wanted.length, this.data2, storeBytes, allKept)) {
        const series = allKept
          ? await this.sampleSummaries(
              time,
              wanted,
              plan,
              kept as SignalSummaries[],
              // Edges are kept per version, range and width: a dashboard's next panel reads the same ones.
              [this.path, this.sizeBytes, this.modifiedMs, range.first, range.end, maxPoints].join('\0')
            )
          : await this.sampleStoredSummaries(store, time, wanted, plan);
        if (series) {
          return series;
        }
      }
    }
    return sampleStore(store, time, wanted, range, maxPoints);
  }

  private async sampleStoredSummaries(
    store: ColumnStoreLayout,
    time: Float64Array,
    wanted: Location[],
    plan: SummarizedPlan
  ): Promise<SampledSeries | undefined> {
    const arena = scratchPool.arena(summaryScratchBytes(plan, wanted.length, elementSize(store.storeType)));
    try {
      const signals = wanted.map((w) => w.signal);
      const summaries = await readStoreSummaries(store, signals, plan.firstBlock, plan.endBlock, arena);
      return await this.sampleSummaries(time, wanted, plan, summaries);
    } finally {
      arena.release();
    }
  }

  /** Undefined when the file is no longer the version the layout was built from: raw rows come from the file itself. */
  private sampleSummaries(
    time: Float64Array,
    wanted: Location[],
    plan: SummarizedPlan,
    summaries: readonly SignalSummaries[],
    edgeKey?: string
  ): Promise<SampledSeries | undefined> {
    return withFile(this.path, this.displayName, async (source) =>
      this.isSameVersion(source)
        ? sampleSummarized(source.pacedReader(), this.data2, time, wanted, plan, summaries, edgeKey)
        : undefined
    );
  }

  private isSameVersion(source: FileSource): boolean {
    return source.size === this.sizeBytes && source.modifiedMs === this.modifiedMs;
  }

  private worthStreaming(count: number, series: number, maxPoints: number): boolean {
    const minBytes = this.options.streamedReadMinBytes ?? STREAMED_READ_MIN_BYTES;
    return count > maxPoints && count * series * Float64Array.BYTES_PER_ELEMENT >= minBytes;
  }

  /** First read of the file: the range is found with a few single-value reads, then one pass. */
  private async sampleFromFile(
    wanted: Location[],
    maxPoints: number,
    from?: number,
    to?: number
  ): Promise<SampledRead | undefined> {
    readStats.fileReads++;
    const result = await withFile(this.path, this.displayName, async (source) => {
      const timeAt = async (index: number) => (await readSignals(source, this.data2, [0], index, index + 1))[0][0];
      const range = await clipRangeAt(this.data2.samples, timeAt, from, to);
      const count = range.end - range.first;
      // A first read passes over the whole range either way; streaming it saves the columns.
      if (count <= maxPoints) {
        return undefined;
      }
      const ends: [number, number] = [await timeAt(range.first), await timeAt(range.end - 1)];
      const series = await sampleRows(source, this.data2, wanted, range, ends, maxPoints);
      return { pointsInRange: count, ends: Float64Array.from(ends), series };
    });
    if (result) {
      // Only after a read: a build racing the caller's fallback read would slow both down.
      this.startLayoutBuild();
    }
    return result;
  }

  /** Resolves once the per-variable layout is built (true), or when none will be (false). */
  async layoutReady(): Promise<boolean> {
    await this.storeBuild;
    return this.store !== undefined;
  }

  private async readTrajectorySignals(signals: readonly number[], first: number, end: number): Promise<Float64Array[]> {
    if (signals.length === 0) {
      return [];
    }
    if (this.store) {
      try {
        readStats.layoutReads++;
        return await readStoreColumns(this.store, signals, first, end);
      } catch (error) {
        // The cache limit may delete a layout in use: read the file itself and rebuild it later.
        this.dropLayout(error);
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

  private assemble(
    variables: readonly VariableInfo[],
    locations: Location[],
    signals: readonly number[],
    columns: Float64Array[],
    count: number
  ): Float64Array[] {
    const bySignal = new Map(signals.map((signal, k) => [signal, columns[k]]));
    return variables.map((variable, k) => {
      const location = locations[k];
      if (location.matrix === 'data_1') {
        return new Float64Array(count).fill(variable.value ?? NaN);
      }
      const column = bySignal.get(location.signal)!;
      return location.negate ? negated(column) : column;
    });
  }

  private dataBytes(): number {
    return this.data2.signals * this.data2.samples * elementSize(this.data2.elementType);
  }

  /** Small binTrans files are read whole anyway: their columns are kept in memory (see memo.ts). */
  private memoizable(): boolean {
    const { columnStoreMinBytes = DEFAULT_COLUMN_STORE_MIN_BYTES } = this.options;
    return this.data2.samplesContiguous && this.data2.samples > 0 && this.dataBytes() < columnStoreMinBytes;
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

  /**
   * Forgets a layout that failed to read because it is gone (the cache limit deletes layouts,
   * even in use); the next read goes to the file and builds it again. Other errors propagate.
   */
  private dropLayout(error: unknown): undefined {
    if (!isLostLayout(error)) {
      throw error;
    }
    if (this.store) {
      forgetSummaries(this.store);
    }
    this.store = undefined;
    this.storeBuild = undefined;
    return undefined;
  }

  /** Starts building the per-variable layout once the file is read, for large binTrans files only. */
  private startLayoutBuild(): void {
    const { cacheDir, columnStoreMinBytes = DEFAULT_COLUMN_STORE_MIN_BYTES } = this.options;
    if (this.storeBuild || !cacheDir || !this.data2.samplesContiguous || this.dataBytes() < columnStoreMinBytes) {
      return;
    }
    const key = createHash('sha256')
      .update(`${this.path}\0${this.sizeBytes}\0${this.modifiedMs}`)
      .digest('hex')
      .slice(0, 32);
    const target = path.join(cacheDir, 'columns', `${key}.cols`);
    const layout = columnStoreLayout(this.data2, target);
    this.storeBuild = enqueueLayoutBuild(async () => {
      const existing = await stat(target).catch(() => undefined);
      if (existing?.size === columnStoreBytes(layout)) {
        this.store = layout;
      } else {
        this.store = await withFile(this.path, this.displayName, (source) =>
          buildColumnStore(source, this.data2, target)
        );
        cacheWriteHealth.succeeded('layouts');
      }
    })
      // Outside the queue: loading summaries only reads, and the next file's build need not wait for it.
      .then(() => this.store && keepSummariesInMemory(this.store, this.options.summaryMemoryMinSamples))
      .catch((error: unknown) => {
        // Without a layout (cache full or read-only, file replaced meanwhile), reads stay on the strided path.
        this.store = undefined;
        if (!(error instanceof DecodeError)) {
          cacheWriteHealth.failed('layouts', error);
        }
      });
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

/**
 * Streaming M4 (from the layout's block summaries where they read less) pays off once the columns
 * of a read would be this large: below it, whole columns are cheap to hold and downsample. At
 * 16 MiB, the load benchmark (binary answers, four queries at a time) served 1,330-1,410
 * requests/s with a p99 of 129-143 ms; at 1 MiB, 1,520-1,700 requests/s and 104-122 ms.
 */
const STREAMED_READ_MIN_BYTES = 1024 * 1024;

/**
 * Per-variable layouts are worth building above this data size: a query then reads only its
 * variables' bytes. Below it a whole read takes a few milliseconds. (At 64 MiB, 50 clients
 * querying 100 runs of 1-50 MB each gave a p99 of 1.1 s, every query re-reading its whole file.)
 */
export const DEFAULT_COLUMN_STORE_MIN_BYTES = 4 * 1024 * 1024;

let layoutQueue: Promise<unknown> = Promise.resolve();

/** One layout build at a time across all files: each streams a whole data matrix. */
function enqueueLayoutBuild(build: () => Promise<void>): Promise<void> {
  const next = layoutQueue.then(build, build);
  layoutQueue = next.catch(() => undefined);
  return next;
}

/**
 * Resolves once the queued layout builds are done, so that a closing proxy leaves no build writing
 * into its cache folder (each writes a `.partial` file and renames it when complete).
 */
export async function layoutBuildsIdle(): Promise<void> {
  let seen: Promise<unknown>;
  do {
    seen = layoutQueue;
    await seen;
  } while (seen !== layoutQueue);
}

function uniqueTrajectorySignals(locations: readonly Location[]): number[] {
  return [...new Set(locations.filter((l) => l.matrix === 'data_2').map((l) => l.signal))];
}

function isOrdered(time: Float64Array): boolean {
  for (let i = 1; i < time.length; i++) {
    if (!(time[i] >= time[i - 1])) {
      return false;
    }
  }
  return time.length === 0 || time[0] === time[0];
}

/** A layout deleted (cache limit, an operator) or truncated under us. */
function isLostLayout(error: unknown): boolean {
  return (
    error instanceof ColumnStoreEnded ||
    (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
  );
}

function negated(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    // Unary minus keeps the sign of zero: a negated alias of 0 is -0, as in the file's semantics.
    out[i] = -values[i];
  }
  return out;
}

async function readMatrixBytes(source: FileSource, record: Mat4Record): Promise<Uint8Array> {
  requireComplete(record, source);
  if (record.declaredBytes > MAX_CATALOG_MATRIX_BYTES) {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `matrix "${record.name}" declares ${record.declaredBytes} bytes, more than a catalogue matrix can hold`
    );
  }
  return source.read(record.dataOffset, record.declaredBytes);
}

/** Aclass is 4 short rows; anything else is not a result file's header (and must not be decoded blindly). */
const MAX_ACLASS_ROWS = 8;
const MAX_ACLASS_WIDTH = 256;

async function readAclass(source: FileSource, record: Mat4Record): Promise<AclassInfo> {
  if (
    record.rows < 1 ||
    record.rows > MAX_ACLASS_ROWS ||
    record.declaredCols < 1 ||
    record.declaredCols > MAX_ACLASS_WIDTH
  ) {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `Aclass is ${record.rows}x${record.declaredCols}, not a 4-row text header`
    );
  }
  const rows = decodeTextMatrix(await readMatrixBytes(source, record), record, record.declaredCols, false);
  const [kind = '', version = '', , orientation = ''] = rows;
  if (kind === 'AlinearSystem') {
    throw new DecodeError(
      source.displayName,
      'not_a_trajectory',
      'linearization result (AlinearSystem, e.g. dslin.mat), not a trajectory'
    );
  }
  if (kind !== 'Atrajectory') {
    throw new DecodeError(
      source.displayName,
      'not_a_trajectory',
      `Aclass is "${kind}", not a Dymola/OpenModelica trajectory`
    );
  }
  if (version !== '1.1' && version !== '1.0') {
    throw new DecodeError(
      source.displayName,
      'unsupported_format',
      `trajectory version "${version}" is not supported (1.0 and 1.1 are)`
    );
  }
  if (version === '1.1' && orientation !== 'binTrans' && orientation !== 'binNormal') {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `Aclass orientation is "${orientation}", expected binTrans or binNormal`
    );
  }
  return { version, transposed: orientation === 'binTrans' };
}

/**
 * Walks the record headers after Aclass. The last record may be a data matrix that is still being
 * written: its declared column count is clamped to what the file holds.
 */
async function walkCatalog(source: FileSource, start: number): Promise<CatalogMatrices> {
  const records = new Map<string, Mat4Record>();
  let offset = start;
  let data2Cols = 0;
  for (let n = 0; offset < source.size; n++) {
    if (n >= MAX_RECORDS) {
      throw new DecodeError(source.displayName, 'corrupt', `more than ${MAX_RECORDS} matrices`);
    }
    const record = await readRecordHeader(source, offset);
    if (!records.has(record.name)) {
      records.set(record.name, record);
    }
    const isTrajectoryData = record.name === 'data_2' || record.name === 'data';
    if (isTrajectoryData && (await isStillBeingWritten(source, record))) {
      // A simulation still running: header columns are patched late (or never), rows are appended.
      const rowBytes = record.rows * elementSize(record.elementType);
      data2Cols = rowBytes === 0 ? 0 : Math.floor((source.size - record.dataOffset) / rowBytes);
      if (record.declaredCols !== 0) {
        data2Cols = Math.min(data2Cols, record.declaredCols);
      }
      break;
    }
    if (isTrajectoryData) {
      data2Cols = record.declaredCols;
    }
    offset = record.end;
  }
  return { records, data2Cols };
}

/**
 * True when the matrix runs past the end of the file, or declares no columns yet while bytes
 * that are not another matrix follow it (OpenModelica writes ncols = 0 until the run ends).
 */
async function isStillBeingWritten(source: FileSource, record: Mat4Record): Promise<boolean> {
  if (record.end > source.size) {
    return true;
  }
  if (record.declaredCols !== 0 || record.end === source.size) {
    return false;
  }
  try {
    await readRecordHeader(source, record.end);
    return false;
  } catch (error) {
    if (error instanceof DecodeError) {
      return true;
    }
    throw error;
  }
}

function requireRecord(source: FileSource, catalog: CatalogMatrices, name: string): Mat4Record {
  const record = catalog.records.get(name);
  if (!record) {
    throw new DecodeError(source.displayName, 'corrupt', `the "${name}" matrix is missing`);
  }
  return record;
}

function dataMatrix(record: Mat4Record, cols: number, samplesContiguous: boolean): DataMatrix {
  return {
    name: record.name,
    dataOffset: record.dataOffset,
    signals: samplesContiguous ? record.rows : cols,
    samples: samplesContiguous ? cols : record.rows,
    samplesContiguous,
    elementType: record.elementType,
    littleEndian: record.littleEndian,
  };
}

function requireNumeric(source: FileSource, record: Mat4Record): void {
  if (record.isText) {
    throw new DecodeError(source.displayName, 'corrupt', `matrix "${record.name}" is text, expected numbers`);
  }
}

interface ParsedTrajectory {
  variables: VariableInfo[];
  locations: LocationTable;
  data1: DataMatrix | undefined;
  data2: DataMatrix;
}

/**
 * Promise.all that waits for every read to finish before failing: the file is closed once the
 * first error propagates, and a read still in flight must not run on a closed descriptor.
 */
async function allSettledOrFirstError<T extends readonly unknown[]>(work: {
  [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    throw failed.reason;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function readStrings(source: FileSource, record: Mat4Record, transposed: boolean): Promise<string[]> {
  requireText(source, record);
  return decodeTextMatrix(await readMatrixBytes(source, record), record, record.declaredCols, transposed);
}

async function readDescriptions(
  source: FileSource,
  record: Mat4Record,
  transposed: boolean
): Promise<DescriptionColumns> {
  requireText(source, record);
  return decodeDescriptionMatrix(await readMatrixBytes(source, record), record, record.declaredCols, transposed);
}

function requireText(source: FileSource, record: Mat4Record): void {
  if (!record.isText && record.elementType !== ElementType.Float64 && record.elementType !== ElementType.UInt8) {
    throw new DecodeError(source.displayName, 'corrupt', `matrix "${record.name}" is not text`);
  }
  // Strings of zero width take no bytes: bound their number by the file size, or a corrupt header
  // could ask for billions of them.
  if (record.rows > source.size || record.declaredCols > source.size) {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `text matrix "${record.name}" is ${record.rows}x${record.declaredCols}, more than the file can hold`
    );
  }
}

async function parseVersion11(
  source: FileSource,
  aclass: AclassInfo,
  catalog: CatalogMatrices
): Promise<ParsedTrajectory> {
  const { transposed } = aclass;
  const nameRecord = requireRecord(source, catalog, 'name');
  const descriptionRecord = catalog.records.get('description');
  const dataInfoRecord = requireRecord(source, catalog, 'dataInfo');
  // The three matrices are read concurrently: on a 25,000-variable catalogue the reads overlap
  // with decoding instead of waiting one after another.
  const [names, descriptions, dataInfo] = await allSettledOrFirstError([
    readStrings(source, nameRecord, transposed),
    descriptionRecord
      ? readDescriptions(source, descriptionRecord, transposed)
      : Promise.resolve<DescriptionColumns>({ texts: [], brackets: [] }),
    readDataInfo(source, dataInfoRecord, transposed, transposed ? nameRecord.declaredCols : nameRecord.rows),
  ] as const);
  if (descriptionRecord && descriptions.texts.length !== names.length) {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `${names.length} names but ${descriptions.texts.length} descriptions`
    );
  }

  const data2Record = requireRecord(source, catalog, 'data_2');
  requireNumeric(source, data2Record);
  const data2 = dataMatrix(data2Record, catalog.data2Cols, transposed);
  if (!transposed) {
    requireComplete(data2Record, source);
  }
  if (names.length === 0 || (data2.signals === 0 && data2.samples > 0)) {
    throw new DecodeError(source.displayName, 'corrupt', 'has no time signal');
  }
  const data1Record = catalog.records.get('data_1');
  let data1: DataMatrix | undefined;
  let data1Values: Float64Array = new Float64Array(0);
  if (data1Record && data1Record.declaredBytes > 0) {
    requireNumeric(source, data1Record);
    data1 = dataMatrix(data1Record, data1Record.declaredCols, transposed);
    const bytes = await readMatrixBytes(source, data1Record);
    data1Values = firstSampleOfEachSignal(
      decodeNumbers(bytes, data1Record.elementType, data1Record.littleEndian),
      data1
    );
  }

  const variables: VariableInfo[] = [];
  const locations = new LocationTable(names.length);
  names.forEach((name, i) => {
    const block = dataInfo.blocks[i];
    const k = dataInfo.columns[i];
    const location = locate(source, name, i, block, k, data1, data2);
    if (!location) {
      return;
    }
    const bracket = descriptions.brackets[i];
    const isTime = i === 0 || block === 0;
    const variable: VariableInfo = {
      name,
      description: descriptions.texts[i] ?? '',
      unit: bracket?.unit ?? (isTime ? 's' : null),
      displayUnit: bracket?.displayUnit ?? null,
      valueType: bracket?.valueType ?? null,
      kind: isTime ? 'time' : location.matrix === 'data_1' ? 'parameter' : 'trajectory',
    };
    if (location.matrix === 'data_1') {
      const raw = data1Values[location.signal];
      variable.value = location.negate ? -raw : raw;
    }
    variables.push(variable);
    locations.push(location.matrix, location.signal, location.negate);
  });
  return { variables, locations, data1, data2 };
}

/** The values at the first sample of each signal (data_1 holds each parameter at start and stop). */
function firstSampleOfEachSignal(values: Float64Array, matrix: DataMatrix): Float64Array {
  const out = new Float64Array(matrix.signals);
  for (let s = 0; s < matrix.signals; s++) {
    out[s] = matrix.samplesContiguous ? values[s] : values[s * matrix.samples];
  }
  return out;
}

/** Per variable: the data block (column 1 of dataInfo) and the signed column (column 2). */
interface DataInfo {
  blocks: Float64Array;
  columns: Float64Array;
}

async function readDataInfo(
  source: FileSource,
  record: Mat4Record,
  transposed: boolean,
  count: number
): Promise<DataInfo> {
  requireNumeric(source, record);
  const entriesPerVariable = transposed ? record.rows : record.declaredCols;
  const variableCount = transposed ? record.declaredCols : record.rows;
  if (variableCount !== count || entriesPerVariable < 2) {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `dataInfo is ${record.rows}x${record.declaredCols}, which does not describe ${count} variables`
    );
  }
  const values = decodeNumbers(await readMatrixBytes(source, record), record.elementType, record.littleEndian);
  const blocks = new Float64Array(count);
  const columns = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    blocks[i] = transposed ? values[i * entriesPerVariable] : values[i];
    columns[i] = transposed ? values[i * entriesPerVariable + 1] : values[variableCount + i];
  }
  return { blocks, columns };
}

function locate(
  source: FileSource,
  name: string,
  i: number,
  block: number,
  k: number,
  data1: DataMatrix | undefined,
  data2: DataMatrix
): Location | undefined {
  if (i === 0 || block === 0) {
    // Time is the first name and the first signal of every data matrix, whatever its dataInfo says.
    return { matrix: 'data_2', signal: 0, negate: false };
  }
  if (block !== 1 && block !== 2) {
    // Other blocks (e.g. OpenModelica's pending String data) are not numeric trajectories.
    return undefined;
  }
  const matrix = block === 1 ? data1 : data2;
  const signal = Math.abs(k) - 1;
  if (!Number.isInteger(k) || k === 0 || !matrix || signal >= matrix.signals) {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `variable "${name}" points to column ${k} of data_${block}, which does not exist`
    );
  }
  return { matrix: block === 1 ? 'data_1' : 'data_2', signal, negate: k < 0 };
}

/** Version 1.0 ("export as plotted"): `names` plus one `data` matrix whose first column is time. */
async function parseVersion10(source: FileSource, catalog: CatalogMatrices): Promise<ParsedTrajectory> {
  const namesRecord = requireRecord(source, catalog, 'names');
  const names = await readStrings(source, namesRecord, false);
  const dataRecord = requireRecord(source, catalog, 'data');
  requireNumeric(source, dataRecord);
  requireComplete(dataRecord, source);
  const data2 = dataMatrix(dataRecord, dataRecord.declaredCols, false);
  if (data2.signals !== names.length) {
    throw new DecodeError(source.displayName, 'corrupt', `${names.length} names but ${data2.signals} data columns`);
  }
  const variables: VariableInfo[] = [];
  const locations = new LocationTable(names.length);
  names.forEach((name, signal) => {
    const variable: VariableInfo = {
      name,
      description: '',
      unit: signal === 0 ? 's' : null,
      displayUnit: null,
      valueType: null,
      kind: signal === 0 ? 'time' : 'trajectory',
    };
    variables.push(variable);
    locations.push('data_2', signal, false);
  });
  return { variables, locations, data1: undefined, data2 };
}

async function readTimeBounds(
  source: FileSource,
  data2: DataMatrix,
  data1: DataMatrix | undefined
): Promise<[number | null, number | null]> {
  if (data2.samples > 0 && data2.signals > 0) {
    const [first] = await readSignals(source, data2, [0], 0, 1);
    const [last] = await readSignals(source, data2, [0], data2.samples - 1, data2.samples);
    return [first[0], last[0]];
  }
  if (data1 && data1.signals > 0 && data1.samples > 0) {
    // No time points yet: data_1's time row still holds the declared start and stop times.
    const [declared] = await readSignals(source, data1, [0], 0, data1.samples);
    return [declared[0], declared[declared.length - 1]];
  }
  return [null, null];
}
