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
 * Walks the record headers after Aclass. The last record may be a data matrix that is still being
 * written: its declared column count is clamped to what the file holds.
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
  if (data1 && data1.signals > 0 && data1.samples > 0) {
    // No time points yet: data_1's time row still holds the declared start and stop times.
    const [declared] = await readSignals(source, data1, [0], 0, data1.samples);
    return [declared[0], declared[declared.length - 1]];
  }
  return [null, null];
}
