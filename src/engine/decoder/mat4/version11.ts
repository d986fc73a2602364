/** The version 1.1 catalogue parser (name, description, dataInfo, data_1): runs once at open, unlike the reads. */
import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import type { VariableInfo } from '../types';
import { dataMatrix, readDescriptions, readMatrixBytes, readStrings, requireNumeric } from './catalogRecords';
import { decodeNumbers } from './elements';
import { requireRecord, type AclassInfo, type CatalogMatrices } from './header';
import { LocationTable, type Location, type ParsedTrajectory } from './locations';
import type { DataMatrix } from './matrix';
import { requireComplete, type Mat4Record } from './records';
import type { DescriptionColumns } from './text';

/** Per variable: the data block (column 1 of dataInfo) and the signed column (column 2). */
interface DataInfo {
  blocks: Float64Array;
  columns: Float64Array;
}

export async function parseVersion11(
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

/** The values at the first sample of each signal (data_1 holds each parameter at start and stop). */
function firstSampleOfEachSignal(values: Float64Array, matrix: DataMatrix): Float64Array {
  const out = new Float64Array(matrix.signals);
  for (let s = 0; s < matrix.signals; s++) {
    out[s] = matrix.samplesContiguous ? values[s] : values[s * matrix.samples];
  }
  return out;
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
