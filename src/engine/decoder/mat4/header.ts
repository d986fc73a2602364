/** Opening's first reads (Aclass header, record walk, time bounds): the format checks, apart from variable parsing. */
import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import { readMatrixBytes } from './catalogRecords';
import { readSignals, type DataMatrix } from './matrix';
import { elementSize, readRecordHeader, type Mat4Record } from './records';
import { decodeTextMatrix } from './text';

const MAX_RECORDS = 4096;

/** Aclass is 4 short rows; anything else is not a result file's header (and must not be decoded blindly). */
const MAX_ACLASS_ROWS = 8;
const MAX_ACLASS_WIDTH = 256;

export interface AclassInfo {
  version: string;
  transposed: boolean;
}

export interface CatalogMatrices {
  records: Map<string, Mat4Record>;
  data2Cols: number;
}

export async function readAclass(source: FileSource, record: Mat4Record): Promise<AclassInfo> {
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
 * Walks the record headers after Aclass. The trajectory matrix may still be being written (see
 * dataMatrixState): its declared column count is then clamped to what the file holds.
 */
export async function walkCatalog(source: FileSource, start: number): Promise<CatalogMatrices> {
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
    if (isTrajectoryData) {
      const state = await dataMatrixState(source, record);
      if (state === 'growing') {
        // Clamped to a declared count: the orientation is not known here, and only a row-wise
        // (binTrans) matrix can hold more rows than its header says (live/tail-mat4.ts reads those).
        const inFile = rowsInFile(source, record);
        data2Cols = record.declaredCols === 0 ? inFile : Math.min(inFile, record.declaredCols);
        break;
      }
      data2Cols = record.declaredCols;
      if (state === 'undecided') {
        // What follows is too short to be read as the next matrix's header yet.
        break;
      }
    }
    offset = record.end;
  }
  return { records, data2Cols };
}

/**
 * Where a trajectory matrix stands:
 * - 'growing': a simulation still running appends rows, and the header's column count lags them.
 *   OpenModelica writes 0 until the run ends, or adds the rows written every N+1 steps with
 *   `-mat_sync=N` (updateHeader_matVer4, after the rows are flushed, so it never runs ahead of them);
 *   Dymola's trajectory writer stores the row-wise matrix "without knowing the number of rows in
 *   advance" (atraj.h). A count ahead of the bytes is a file still being copied.
 * - 'settled': the declared count holds; whatever follows is another matrix.
 * - 'undecided': bytes follow that are too few to tell another matrix's header from rows; the
 *   declared count holds until more arrive.
 */
export type DataMatrixState = 'growing' | 'settled' | 'undecided';

export async function dataMatrixState(source: FileSource, record: Mat4Record): Promise<DataMatrixState> {
  if (record.end > source.size) {
    return 'growing';
  }
  if (record.end === source.size) {
    return 'settled';
  }
  try {
    await readRecordHeader(source, record.end);
    return 'settled';
  } catch (error) {
    if (!(error instanceof DecodeError)) {
      throw error;
    }
    // With no column declared, only rows can follow (a 0-point result has nothing after it).
    return error.code === 'truncated' && record.declaredCols !== 0 ? 'undecided' : 'growing';
  }
}

/** Complete rows (time steps) of a binTrans matrix that the file holds, whatever its header says. */
export function rowsInFile(source: FileSource, record: Mat4Record): number {
  const rowBytes = record.rows * elementSize(record.elementType);
  return rowBytes === 0 ? 0 : Math.max(0, Math.floor((source.size - record.dataOffset) / rowBytes));
}

export function requireRecord(source: FileSource, catalog: CatalogMatrices, name: string): Mat4Record {
  const record = catalog.records.get(name);
  if (!record) {
    throw new DecodeError(source.displayName, 'corrupt', `the "${name}" matrix is missing`);
  }
  return record;
}

export async function readTimeBounds(
  source: FileSource,
  data2: DataMatrix,
  data1: DataMatrix | undefined
): Promise<[number | null, number | null]> {
  if (data2.samples > 0 && data2.signals > 0) {
    const [first] = await readSignals(source, data2, [0], 0, 1);
    const [last] = await readSignals(source, data2, [0], data2.samples - 1, data2.samples);
    return [first[0], last[0]];
  }
  // No time points yet: data_1's time row still holds the declared start and stop times.
  return (await readDeclaredTimes(source, data1)) ?? [null, null];
}

/** data_1's time row: the experiment's start and stop time, which the solver writes before the first step. */
export async function readDeclaredTimes(source: FileSource, data1: DataMatrix | undefined): Promise<[number, number] | undefined> {
  if (!data1 || data1.signals === 0 || data1.samples === 0) {
    return undefined;
  }
  const [declared] = await readSignals(source, data1, [0], 0, data1.samples);
  return [declared[0], declared[declared.length - 1]];
}
