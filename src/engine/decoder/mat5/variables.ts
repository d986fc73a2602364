import { DecodeError } from '../errors';
import type { MemoryVariable } from '../memory';
import type { VariableInfo } from '../types';
import { MxClass, type MatArray } from './elements';

/** The catalogue and values of a MAT v5 file, ready for an InMemoryResultFile. */
export interface Mat5Variables {
  time: Float64Array;
  /** Time (or the sample index) first. */
  variables: MemoryVariable[];
}

/** A real numeric 2-D array with its values, taken from mat-for-js's output. */
interface NumericArray {
  name: string;
  rows: number;
  cols: number;
  valueType: string | null;
  /** mat-for-js's value: `[x]` for 1×1, a flat array for vectors, rows of columns for matrices. */
  value: unknown;
}

const CLASS_NAMES = new Map<number, string>([
  [MxClass.cell, 'cell array'],
  [MxClass.struct, 'struct array'],
  [MxClass.object, 'MATLAB object'],
  [MxClass.char, 'text'],
  [MxClass.sparse, 'sparse matrix'],
]);
const MAX_LISTED = 6;
const SAMPLE_INDEX = 'sample';

function isTimeName(name: string): boolean {
  const last = name.slice(name.lastIndexOf('.') + 1);
  // `T` is left out on purpose: in models it is usually a temperature or a period.
  return last === 't' || last.toLowerCase() === 'time';
}

/** The value at `path` in mat-for-js's output: top-level name, then fields of 1×1 structs. */
function valueAt(data: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function whySkipped(array: MatArray): string | undefined {
  const described = CLASS_NAMES.get(array.mxClass);
  if (described !== undefined) {
    return described;
  }
  if (array.mxClass < MxClass.double || array.mxClass > MxClass.uint64) {
    return 'not numeric';
  }
  if (array.complex) {
    return 'complex';
  }
  if (array.dims.length > 2) {
    return `${array.dims.length}-D`;
  }
  return array.dims.includes(0) ? 'empty' : undefined;
}

/** A 1×1 struct is not skipped: its fields are listed on their own. */
function isScalarStruct(array: MatArray): boolean {
  return array.mxClass === MxClass.struct && array.dims.length === 2 && array.dims[0] * array.dims[1] === 1;
}

function valueTypeOf(array: MatArray): string | null {
  if (array.logical) {
    return 'Boolean';
  }
  return array.mxClass >= MxClass.int8 ? 'Integer' : null;
}

class Mat5CatalogueBuilder {
  private readonly numeric: NumericArray[] = [];
  private readonly skipped: string[] = [];

  constructor(
    private readonly file: string,
    arrays: readonly MatArray[],
    private readonly data: Record<string, unknown>
  ) {
    // mat-for-js keeps the last of two variables with the same name, so the catalogue does too.
    const byPath = new Map(arrays.map((array) => [array.path.join('\u0000'), array]));
    for (const array of byPath.values()) {
      this.classify(array);
    }
  }

  private classify(array: MatArray): void {
    const name = array.path.join('.');
    const reason = whySkipped(array);
    if (reason === undefined) {
      const [rows, cols] = array.dims;
      this.numeric.push({ name, rows, cols, valueType: valueTypeOf(array), value: valueAt(this.data, array.path) });
    } else if (!isScalarStruct(array)) {
      this.skipped.push(`"${name}" (${reason})`);
    }
  }

  build(): Mat5Variables {
    const isScalar = (a: NumericArray): boolean => a.rows === 1 && a.cols === 1;
    const vectors = this.numeric.filter((a) => Math.min(a.rows, a.cols) === 1 && !isScalar(a));
    const matrices = this.numeric.filter((a) => a.rows > 1 && a.cols > 1);
    const vectorValues = new Map(vectors.map((a) => [a, this.vectorValues(a)]));
    const timeArray = this.findTime(vectors, vectorValues);
    const length = timeArray ? (vectorValues.get(timeArray)?.length ?? 0) : this.abscissaLength(vectors, matrices);
    const variables: MemoryVariable[] = [];
    let trajectoryCount = 0;
    for (const array of this.numeric.filter((a) => a !== timeArray)) {
      if (isScalar(array)) {
        variables.push(this.parameter(array));
        continue;
      }
      for (const trajectory of this.trajectoriesOf(array, length, vectorValues.get(array))) {
        variables.push(trajectory);
        trajectoryCount++;
      }
    }
    if (trajectoryCount === 0) {
      throw this.nothingToPlot(variables.length);
    }
    const time = timeArray ? this.timeVariable(timeArray, vectorValues) : this.sampleIndex(length);
    return { time: time.values ?? new Float64Array(0), variables: [time, ...variables] };
  }

  /** A vector named like time whose values never decrease; top-level ones before struct fields. */
  private findTime(vectors: NumericArray[], values: Map<NumericArray, Float64Array>): NumericArray | undefined {
    const candidates = vectors.filter((a) => isTimeName(a.name) && isNonDecreasing(values.get(a)));
    const depth = (a: NumericArray): number => a.name.split('.').length;
    return candidates.sort((a, b) => depth(a) - depth(b))[0];
  }

  /** Without time: the most common vector length (first seen on ties), else the most common matrix height. */
  private abscissaLength(vectors: NumericArray[], matrices: NumericArray[]): number {
    const lengths = vectors.length > 0 ? vectors.map((a) => Math.max(a.rows, a.cols)) : matrices.map((a) => a.rows);
    const counts = new Map<number, number>();
    for (const length of lengths) {
      counts.set(length, (counts.get(length) ?? 0) + 1);
    }
    let best = 0;
    for (const [length, count] of counts) {
      if (count > (counts.get(best) ?? 0)) {
        best = length;
      }
    }
    return best;
  }

  private trajectoriesOf(array: NumericArray, length: number, vector: Float64Array | undefined): MemoryVariable[] {
    if (vector) {
      if (vector.length === length) {
        return [{ info: this.info(array.name, array.valueType, 'trajectory'), values: vector }];
      }
      this.skipped.push(`"${array.name}" (${vector.length} values for ${length} points)`);
      return [];
    }
    // Columns of the abscissa's length are the usual layout; rows are taken when only they fit.
    const byColumns = array.rows === length;
    if (!byColumns && array.cols !== length) {
      this.skipped.push(`"${array.name}" (${array.rows}×${array.cols} for ${length} points)`);
      return [];
    }
    const series = byColumns ? this.matrixColumns(array) : this.matrixRows(array);
    return series.map((values, i) => ({
      info: this.info(`${array.name}[${i + 1}]`, array.valueType, 'trajectory'),
      values,
    }));
  }

  private timeVariable(array: NumericArray, values: Map<NumericArray, Float64Array>): MemoryVariable {
    const info = { ...this.info(array.name, array.valueType, 'time'), unit: 's' };
    return { info, values: values.get(array) };
  }

  private sampleIndex(length: number): MemoryVariable {
    const taken = new Set(this.numeric.map((a) => a.name));
    let name = SAMPLE_INDEX;
    while (taken.has(name)) {
      name = `_${name}`;
    }
    const info = { ...this.info(name, 'Integer', 'time'), description: 'sample index (the file has no time vector)' };
    return { info, values: Float64Array.from({ length }, (_, i) => i) };
  }

  private parameter(array: NumericArray): MemoryVariable {
    const element = Array.isArray(array.value) && array.value.length === 1 ? array.value[0] : undefined;
    return { info: { ...this.info(array.name, array.valueType, 'parameter'), value: this.toNumber(element, array) } };
  }

  private info(name: string, valueType: string | null, kind: VariableInfo['kind']): VariableInfo {
    return { name, description: '', unit: null, displayUnit: null, valueType, kind };
  }

  /** mat-for-js gives 1×n and n×1 alike as a flat array. */
  private vectorValues(array: NumericArray): Float64Array {
    const length = Math.max(array.rows, array.cols);
    if (!Array.isArray(array.value) || array.value.length !== length) {
      throw this.unexpectedShape(array);
    }
    return Float64Array.from(array.value, (element: unknown) => this.toNumber(element, array));
  }

  /** mat-for-js gives an r×c matrix as r arrays of c values. */
  private matrixRows(array: NumericArray): Float64Array[] {
    const rows = array.value;
    if (!Array.isArray(rows) || rows.length !== array.rows) {
      throw this.unexpectedShape(array);
    }
    return rows.map((row: unknown) => {
      if (!Array.isArray(row) || row.length !== array.cols) {
        throw this.unexpectedShape(array);
      }
      return Float64Array.from(row, (element: unknown) => this.toNumber(element, array));
    });
  }

  private matrixColumns(array: NumericArray): Float64Array[] {
    const rows = this.matrixRows(array);
    return Array.from({ length: array.cols }, (_, c) => Float64Array.from(rows, (row) => row[c]));
  }

  private toNumber(element: unknown, array: NumericArray): number {
    if (typeof element === 'number') {
      return element;
    }
    // 64-bit integers: exact up to 2^53, which covers anything meant as a signal value.
    if (typeof element === 'bigint') {
      return Number(element);
    }
    throw this.unexpectedShape(array);
  }

  private unexpectedShape(array: NumericArray): DecodeError {
    return new DecodeError(
      this.file,
      'corrupt',
      `MAT v5 variable "${array.name}" (${array.rows}×${array.cols}) came out of mat-for-js in another shape`
    );
  }

  private nothingToPlot(parameterCount: number): DecodeError {
    const listed = this.skipped.slice(0, MAX_LISTED).join(', ');
    const more = this.skipped.length > MAX_LISTED ? ` and ${this.skipped.length - MAX_LISTED} more` : '';
    const skipped = this.skipped.length > 0 ? `; skipped ${listed}${more}` : '';
    return new DecodeError(
      this.file,
      'not_a_trajectory',
      `MAT v5 file without a real numeric vector or matrix to use as a trajectory (${parameterCount} scalars${skipped})`
    );
  }
}

function isNonDecreasing(values: Float64Array | undefined): boolean {
  if (!values || !values.every(Number.isFinite)) {
    return false;
  }
  return values.every((value, i) => i === 0 || value >= values[i - 1]);
}

/**
 * Chooses the abscissa and the variables of a MAT v5 file: a non-decreasing vector named `time`,
 * `Time` or `t` (struct fields too), else the sample index over the most common vector length.
 * Vectors of that length are trajectories, matrices give one per column (or row) of that length,
 * scalars are parameters; text, cells, sparse, complex, N-D and mismatched arrays are skipped.
 */
export function buildMat5Variables(
  file: string,
  arrays: readonly MatArray[],
  data: Record<string, unknown>
): Mat5Variables {
  return new Mat5CatalogueBuilder(file, arrays, data).build();
}
