/**
 * Worker side: the catalogue of a MATLAB v7.3 MAT-file (HDF5 with a 512-byte user block).
 * Top-level numeric arrays and struct fields become variables; HDF5 stores MATLAB matrices
 * transposed, so an HDF5 shape [a, b] is a MATLAB b×a matrix.
 */
import type { File as H5File, Group } from 'h5wasm/node';

import type { VariableInfo } from '../types';
import {
  type DatasetEntry,
  FileProblem,
  firstDecrease,
  groupMembers,
  hasAttribute,
  readSamples,
  readScalar,
  textAttribute,
} from './h5-access';
import type { Catalogue, CatalogueEntry, SampleLocation } from './protocol';

const NUMERIC_CLASSES = new Set([
  'double',
  'single',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'logical',
]);
/** Names of a time vector, most specific first. */
const TIME_NAMES = ['time', 'Time', 't'];
const MAX_STRUCT_DEPTH = 32;

interface MatArray {
  /** MATLAB name, struct fields joined with dots. */
  name: string;
  entry: DatasetEntry;
  valueType: string | null;
  rows: number;
  cols: number;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function valueTypeOf(matlabClass: string | null, entry: DatasetEntry): string | null {
  if (matlabClass === 'logical' || entry.kind === 'boolean') {
    return 'Boolean';
  }
  return matlabClass?.includes('int') || (matlabClass === null && entry.kind === 'integer') ? 'Integer' : null;
}

function asMatArray(entry: DatasetEntry, name: string): MatArray | undefined {
  const matlabClass = textAttribute(entry.dataset, 'MATLAB_class');
  if ((matlabClass !== null && !NUMERIC_CLASSES.has(matlabClass)) || hasAttribute(entry.dataset, 'MATLAB_empty')) {
    return undefined;
  }
  const { shape } = entry;
  if (shape.length > 2) {
    return undefined;
  }
  const rows = shape.length === 2 ? shape[1] : (shape[0] ?? 1);
  const cols = shape.length === 2 ? shape[0] : 1;
  return rows * cols === 0 ? undefined : { name, entry, valueType: valueTypeOf(matlabClass, entry), rows, cols };
}

/** Numeric arrays of `group` and, recursively, of its struct fields. `#refs#` and the like are MATLAB internals. */
function collectArrays(group: Group, prefix: string, depth: number, fileSize: number, out: MatArray[]): void {
  const { datasets, groups } = groupMembers(group, fileSize);
  for (const entry of datasets) {
    const name = baseName(entry.path);
    const array = name.startsWith('#') ? undefined : asMatArray(entry, prefix + name);
    if (array) {
      out.push(array);
    }
  }
  for (const child of groups) {
    const name = baseName(child.path);
    if (!name.startsWith('#') && depth < MAX_STRUCT_DEPTH && textAttribute(child, 'MATLAB_class') === 'struct') {
      collectArrays(child, `${prefix}${name}.`, depth + 1, fileSize, out);
    }
  }
}

function isVector(array: MatArray): boolean {
  return (array.rows === 1 || array.cols === 1) && array.rows * array.cols > 1;
}

function vectorLocation(array: MatArray): SampleLocation {
  const { path, shape } = array.entry;
  if (shape.length === 1) {
    return { dataset: path, rank: 1, timeAxis: 0, index: 0 };
  }
  // A MATLAB column vector (n×1) is HDF5 [1, n]; a row vector (1×n) is HDF5 [n, 1].
  return { dataset: path, rank: 2, timeAxis: array.cols === 1 ? 1 : 0, index: 0 };
}

/** A vector named like time whose values never decrease. */
function namedTime(file: H5File, arrays: MatArray[]): { array: MatArray; time: Float64Array } | undefined {
  for (const name of TIME_NAMES) {
    const array = arrays.find((candidate) => candidate.name === name && isVector(candidate));
    if (array) {
      const time = readSamples(file, vectorLocation(array), 0, array.rows * array.cols);
      if (firstDecrease(time) === -1) {
        return { array, time };
      }
    }
  }
  return undefined;
}

/** The most common vector length (matrices count with their row count); ties go to the longer. */
function commonLength(arrays: MatArray[]): number | undefined {
  const counts = new Map<number, number>();
  for (const array of arrays) {
    const length = isVector(array) ? array.rows * array.cols : array.rows > 1 ? array.rows : 0;
    if (length > 1) {
      counts.set(length, (counts.get(length) ?? 0) + 1);
    }
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0]);
  return best?.[0];
}

function info(array: MatArray, name: string, kind: VariableInfo['kind']): VariableInfo {
  return { name, description: '', unit: null, displayUnit: null, valueType: array.valueType, kind };
}

/** The variables one array contributes for `samples` time points: a parameter, a vector, or one per row/column. */
function variablesOf(array: MatArray, samples: number): CatalogueEntry[] {
  const { rows, cols, name, entry } = array;
  if (rows * cols === 1) {
    return [{ info: { ...info(array, name, 'parameter'), value: readScalar(entry) } }];
  }
  if (isVector(array)) {
    return rows * cols === samples ? [{ info: info(array, name, 'trajectory'), location: vectorLocation(array) }] : [];
  }
  // MATLAB column j of an n×k matrix is HDF5 row j; MATLAB row i of a k×n matrix is HDF5 column i.
  const timeAxis = rows === samples ? 1 : cols === samples ? 0 : undefined;
  if (timeAxis === undefined) {
    return [];
  }
  const count = timeAxis === 1 ? cols : rows;
  return Array.from({ length: count }, (_, index) => ({
    info: info(array, `${name}[${index + 1}]`, 'trajectory'),
    location: { dataset: entry.path, rank: 2, timeAxis, index },
  }));
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) {
    name = `${base}${n}`;
  }
  return name;
}

function sampleIndexAxis(arrays: MatArray[]): CatalogueEntry {
  const name = uniqueName('index', new Set(arrays.map((array) => array.name)));
  return {
    info: {
      name,
      description: 'Sample index (the file has no time vector)',
      unit: null,
      displayUnit: null,
      valueType: 'Integer',
      kind: 'time',
    },
  };
}

export function mat73Catalogue(file: H5File, fileSize: number): Catalogue {
  const arrays: MatArray[] = [];
  collectArrays(file, '', 0, fileSize, arrays);
  if (arrays.length === 0) {
    throw new FileProblem(
      'not_a_trajectory',
      'MAT-file has no numeric variables (char, cell, sparse and complex arrays are not read)'
    );
  }
  const named = namedTime(file, arrays);
  const samples = named ? named.time.length : commonLength(arrays);
  if (samples === undefined) {
    throw new FileProblem('not_a_trajectory', `MAT-file has only scalars (${arrays.length}), no vectors or matrices`);
  }
  const axis: CatalogueEntry = named
    ? { info: info(named.array, named.array.name, 'time'), location: vectorLocation(named.array) }
    : sampleIndexAxis(arrays);
  const time = named ? named.time : Float64Array.from({ length: samples }, (_, i) => i);
  const entries = [axis];
  for (const array of arrays) {
    if (array !== named?.array) {
      entries.push(...variablesOf(array, samples));
    }
  }
  return { format: 'mat73', time, entries };
}
