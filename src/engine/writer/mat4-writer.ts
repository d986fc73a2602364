import { open, type FileHandle } from 'node:fs/promises';

/**
 * Writes Dymola/OpenModelica "Atrajectory" 1.1 MAT v4 result files: examples, test fixtures and
 * benchmark files. Defaults follow Dymola's simulator output (binTrans, float32, space padding,
 * `Time`); options give the OpenModelica flavour and the rarer variants readers must handle.
 */

export interface ParameterSpec {
  kind: 'parameter';
  name: string;
  description?: string;
  unit?: string;
  displayUnit?: string;
  /** `Boolean`, `Integer` or an enumeration name, written as Dymola's `[:#(type=…)]` tag. */
  valueType?: string;
  value: number;
}

export interface TrajectorySpec {
  kind: 'trajectory';
  name: string;
  description?: string;
  unit?: string;
  displayUnit?: string;
  valueType?: string;
}

/** Another name for the same stored column, optionally negated (Dymola's `-k` in dataInfo). */
export interface AliasSpec {
  kind: 'alias';
  name: string;
  description?: string;
  unit?: string;
  displayUnit?: string;
  valueType?: string;
  of: string;
  negate?: boolean;
}

export type VariableSpec = ParameterSpec | TrajectorySpec | AliasSpec;

export interface WriterOptions {
  /** binTrans (simulator output, default) or binNormal (Dymola "Save as"). */
  layout?: 'binTrans' | 'binNormal';
  precision?: 'float32' | 'float64';
  byteOrder?: 'little' | 'big';
  /** Dymola: `Time` and space padding; OpenModelica: `time` and NUL padding. */
  flavour?: 'dymola' | 'openmodelica';
  /** Text as uint8 (usual) or one float64 per byte (seen in one Dymola file). */
  textType?: 'uint8' | 'float64';
  /** dataInfo as int32 (usual) or float64. */
  dataInfoType?: 'int32' | 'float64';
  /** data_1 with both the start and stop value (nP x 2, usual) or only one (nP x 1). */
  data1Samples?: 1 | 2;
}

export interface ResultSpec {
  variables: VariableSpec[];
  /** Written into data_1's time row, as a simulator knows its experiment before the first step. */
  startTime: number;
  stopTime: number;
  options?: WriterOptions;
}

type Resolved = Required<WriterOptions>;

const DEFAULTS: Resolved = {
  layout: 'binTrans',
  precision: 'float32',
  byteOrder: 'little',
  flavour: 'dymola',
  textType: 'uint8',
  dataInfoType: 'int32',
  data1Samples: 2,
};

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const P_FLOAT64 = 0;
const P_FLOAT32 = 1;
const P_INT32 = 2;
const P_UINT8 = 5;

interface Layout {
  names: string[];
  descriptions: string[];
  /** [block, signed column, interpolation, extrapolation] per name. */
  dataInfo: Array<[number, number, number, number]>;
  parameterValues: number[];
  /** data_2 signals after time, by variable name. */
  trajectoryNames: string[];
}

function describe(spec: VariableSpec): string {
  const base = spec.description ?? '';
  if (spec.valueType) {
    return `${base} [:#(type=${spec.valueType})]`;
  }
  if (spec.unit) {
    return `${base} [${spec.unit}${spec.displayUnit ? `|${spec.displayUnit}` : ''}]`;
  }
  return base;
}

function planLayout(spec: ResultSpec, options: Resolved): Layout {
  const timeName = options.flavour === 'dymola' ? 'Time' : 'time';
  const timeDescription = options.flavour === 'dymola' ? 'Time in [s]' : 'Simulation time [s]';
  const names = [timeName];
  const descriptions = [timeDescription];
  const dataInfo: Layout['dataInfo'] = [[0, 1, 0, -1]];
  const parameterValues: number[] = [];
  const trajectoryNames: string[] = [];
  const columnOf = new Map<string, [block: number, column: number]>();
  const extrapolation = options.flavour === 'dymola' ? -1 : 0;

  for (const variable of spec.variables) {
    if (columnOf.has(variable.name) || variable.name === timeName) {
      throw new Error(`duplicate variable name "${variable.name}"`);
    }
    let entry: [number, number];
    if (variable.kind === 'parameter') {
      parameterValues.push(variable.value);
      entry = [1, parameterValues.length + 1];
    } else if (variable.kind === 'trajectory') {
      trajectoryNames.push(variable.name);
      entry = [2, trajectoryNames.length + 1];
    } else {
      const target = columnOf.get(variable.of);
      if (!target) {
        throw new Error(`alias "${variable.name}" refers to "${variable.of}", which is not defined before it`);
      }
      entry = [target[0], variable.negate ? -Math.abs(target[1]) : Math.abs(target[1])];
    }
    columnOf.set(variable.name, entry);
    names.push(variable.name);
    descriptions.push(describe(variable));
    dataInfo.push([entry[0], entry[1], 0, entry[0] === 1 ? 0 : extrapolation]);
  }
  return { names, descriptions, dataInfo, parameterValues, trajectoryNames };
}

/** Serialises matrices into MAT v4 records in the chosen byte order. */
class RecordEncoder {
  constructor(private readonly littleEndian: boolean) {}

  header(name: string, type: number, rows: number, cols: number): Uint8Array {
    const nameBytes = Buffer.from(`${name}\0`, 'latin1');
    const bytes = new Uint8Array(20 + nameBytes.length);
    const view = new DataView(bytes.buffer);
    const code = (this.littleEndian ? 0 : 1000) + type;
    [code, rows, cols, 0, nameBytes.length].forEach((value, i) => view.setInt32(i * 4, value, this.littleEndian));
    bytes.set(nameBytes, 20);
    return bytes;
  }

  numbers(values: ArrayLike<number>, p: number): Uint8Array {
    if (this.littleEndian === HOST_IS_LITTLE_ENDIAN && (p === P_FLOAT64 || p === P_FLOAT32)) {
      // Native byte order: a typed-array copy instead of one DataView call per element (benchmark files are 1 GB).
      const typed = p === P_FLOAT64 ? Float64Array.from(values) : Float32Array.from(values);
      return new Uint8Array(typed.buffer);
    }
    const size = p === P_FLOAT64 ? 8 : p === P_UINT8 ? 1 : 4;
    const bytes = new Uint8Array(values.length * size);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) {
      if (p === P_FLOAT64) {
        view.setFloat64(i * 8, values[i], this.littleEndian);
      } else if (p === P_FLOAT32) {
        view.setFloat32(i * 4, values[i], this.littleEndian);
      } else if (p === P_INT32) {
        view.setInt32(i * 4, values[i], this.littleEndian);
      } else {
        view.setUint8(i, values[i]);
      }
    }
    return bytes;
  }

  record(name: string, p: number, text: boolean, rows: number, cols: number, values: ArrayLike<number>): Uint8Array[] {
    return [this.header(name, p * 10 + (text ? 1 : 0), rows, cols), this.numbers(values, p)];
  }
}

/**
 * Lays strings out as a MAT text matrix. `stringsAlongColumns` puts each string in one column
 * (binTrans); otherwise each string is one row (binNormal), as column-major storage demands.
 */
function textMatrix(strings: string[], stringsAlongColumns: boolean, pad: number): { rows: number; cols: number; data: Uint8Array } {
  const encoded = strings.map((s) => Buffer.from(s, 'utf8'));
  // reduce, not Math.max(...): a spread of 200,000 names overflows the call stack.
  const width = encoded.reduce((widest, b) => Math.max(widest, b.length), 1);
  const count = strings.length;
  const data = new Uint8Array(width * count).fill(pad);
  encoded.forEach((bytes, s) => {
    bytes.forEach((byte, c) => {
      data[stringsAlongColumns ? s * width + c : c * count + s] = byte;
    });
  });
  return stringsAlongColumns ? { rows: width, cols: count, data } : { rows: count, cols: width, data };
}

/** Aclass rows are always stored "normal" (4 rows), with Dymola's "NUL then spaces" padding. */
function aclassMatrix(orientation: string, flavour: Resolved['flavour']): { rows: number; cols: number; data: Uint8Array } {
  const rows = ['Atrajectory', '1.1', '', orientation];
  const width = 11;
  const data = new Uint8Array(width * 4).fill(flavour === 'dymola' ? 0x20 : 0);
  rows.forEach((row, r) => {
    const bytes = Buffer.from(row, 'latin1');
    bytes.forEach((byte, c) => (data[c * 4 + r] = byte));
    if (bytes.length < width) {
      data[bytes.length * 4 + r] = 0;
    }
  });
  return { rows: 4, cols: width, data };
}

/**
 * Streams a binTrans result: the catalogue first, then one time step at a time, like a running
 * simulator. The data_2 column count is patched on close, so a file read before that looks like
 * a simulation still being written.
 */
export class Mat4TrajectoryWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private steps = 0;
  private written = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly encoder: RecordEncoder,
    private readonly dataP: number,
    private readonly signals: number,
    private readonly data2HeaderOffset: number,
    private readonly littleEndian: boolean
  ) {}

  /** Names of the values `writeStep` expects after time, in order. */
  static trajectoryNames(spec: ResultSpec): string[] {
    return planLayout(spec, { ...DEFAULTS, ...spec.options }).trajectoryNames;
  }

  static async create(path: string, spec: ResultSpec): Promise<Mat4TrajectoryWriter> {
    const options: Resolved = { ...DEFAULTS, ...spec.options };
    if (options.layout !== 'binTrans') {
      throw new Error('streaming is only possible in the binTrans layout; use writeResultFile for binNormal');
    }
    const encoder = new RecordEncoder(options.byteOrder === 'little');
    const layout = planLayout(spec, options);
    const catalogue = encodeCatalogue(encoder, layout, spec, options);
    const dataP = options.precision === 'float32' ? P_FLOAT32 : P_FLOAT64;
    const signals = layout.trajectoryNames.length + 1;
    const data2Header = encoder.header('data_2', dataP * 10, signals, 0);
    const handle = await open(path, 'w');
    const catalogueBytes = Buffer.concat([...catalogue, data2Header]);
    await handle.write(catalogueBytes, 0, catalogueBytes.length, 0);
    const writer = new Mat4TrajectoryWriter(
      handle,
      encoder,
      dataP,
      signals,
      catalogueBytes.length - data2Header.length,
      options.byteOrder === 'little'
    );
    writer.written = catalogueBytes.length;
    return writer;
  }

  /** Appends one time step: the time, then one value per trajectory in declaration order. */
  async writeStep(time: number, values: ArrayLike<number>): Promise<void> {
    if (values.length !== this.signals - 1) {
      throw new Error(`expected ${this.signals - 1} values, got ${values.length}`);
    }
    const row = new Array<number>(this.signals);
    row[0] = time;
    for (let i = 0; i < values.length; i++) {
      row[i + 1] = values[i];
    }
    this.pending.push(this.encoder.numbers(row, this.dataP));
    this.pendingBytes += this.pending[this.pending.length - 1].length;
    this.steps++;
    if (this.pendingBytes >= 1 << 20) {
      await this.flush();
    }
  }

  /** Appends many steps at once from a step-major block (time first in each step). */
  async writeSteps(block: Float64Array): Promise<void> {
    if (block.length % this.signals !== 0) {
      throw new Error(`block length ${block.length} is not a multiple of ${this.signals} signals`);
    }
    this.pending.push(this.encoder.numbers(block, this.dataP));
    this.pendingBytes += this.pending[this.pending.length - 1].length;
    this.steps += block.length / this.signals;
    if (this.pendingBytes >= 1 << 20) {
      await this.flush();
    }
  }

  /** Writes buffered steps without patching the header (the file then looks like a running simulation). */
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) {
      return;
    }
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.write(bytes, 0, bytes.length, this.written);
    this.written += bytes.length;
  }

  /** Flushes, patches data_2's column count and closes. */
  async close(): Promise<void> {
    await this.flush();
    const cols = new Uint8Array(4);
    new DataView(cols.buffer).setInt32(0, this.steps, this.littleEndian);
    await this.handle.write(cols, 0, 4, this.data2HeaderOffset + 8);
    await this.handle.close();
  }

  /** Closes without patching the header, as a crashed or still-running simulation leaves it. */
  async abandon(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }
}

function encodeCatalogue(encoder: RecordEncoder, layout: Layout, spec: ResultSpec, options: Resolved): Uint8Array[] {
  const transposed = options.layout === 'binTrans';
  const pad = options.flavour === 'dymola' ? 0x20 : 0;
  const textP = options.textType === 'uint8' ? P_UINT8 : P_FLOAT64;
  const dataP = options.precision === 'float32' ? P_FLOAT32 : P_FLOAT64;
  const aclass = aclassMatrix(options.layout, options.flavour);
  const names = textMatrix(layout.names, transposed, pad);
  const descriptions = textMatrix(layout.descriptions, transposed, pad);
  const n = layout.names.length;
  const dataInfo = new Array<number>(n * 4);
  layout.dataInfo.forEach((entry, i) =>
    entry.forEach((value, j) => (dataInfo[transposed ? i * 4 + j : j * n + i] = value))
  );
  const data1 = data1Matrix(layout, spec, options);
  return [
    ...encoder.record('Aclass', P_UINT8, true, aclass.rows, aclass.cols, aclass.data),
    ...encoder.record('name', textP, true, names.rows, names.cols, names.data),
    ...encoder.record('description', textP, true, descriptions.rows, descriptions.cols, descriptions.data),
    ...encoder.record('dataInfo', options.dataInfoType === 'int32' ? P_INT32 : P_FLOAT64, false, transposed ? 4 : n, transposed ? n : 4, dataInfo),
    ...encoder.record('data_1', dataP, false, data1.rows, data1.cols, data1.values),
  ];
}

/** data_1: the time row [start, stop] then one row per parameter, each value repeated per sample. */
function data1Matrix(layout: Layout, spec: ResultSpec, options: Resolved): { rows: number; cols: number; values: number[] } {
  const signals = [[spec.startTime, spec.stopTime], ...layout.parameterValues.map((v) => [v, v])];
  const samples = options.data1Samples;
  const values: number[] = [];
  if (options.layout === 'binTrans') {
    for (let t = 0; t < samples; t++) {
      signals.forEach((s) => values.push(s[t]));
    }
    return { rows: signals.length, cols: samples, values };
  }
  signals.forEach((s) => values.push(...s.slice(0, samples)));
  return { rows: samples, cols: signals.length, values };
}

export interface ResultData {
  time: ArrayLike<number>;
  /** Values per trajectory name (aliases and parameters need none). */
  trajectories: Record<string, ArrayLike<number>>;
}

/** Writes a complete result file in either layout. */
export async function writeResultFile(path: string, spec: ResultSpec, data: ResultData): Promise<void> {
  const options: Resolved = { ...DEFAULTS, ...spec.options };
  const layout = planLayout(spec, options);
  const columns = layout.trajectoryNames.map((name) => {
    const column = data.trajectories[name];
    if (!column || column.length !== data.time.length) {
      throw new Error(`trajectory "${name}" needs ${data.time.length} values`);
    }
    return column;
  });
  if (options.layout === 'binTrans') {
    const writer = await Mat4TrajectoryWriter.create(path, spec);
    const signals = columns.length + 1;
    const block = new Float64Array(data.time.length * signals);
    for (let t = 0; t < data.time.length; t++) {
      block[t * signals] = data.time[t];
      columns.forEach((column, k) => (block[t * signals + k + 1] = column[t]));
    }
    await writer.writeSteps(block);
    await writer.close();
    return;
  }
  const encoder = new RecordEncoder(options.byteOrder === 'little');
  const dataP = options.precision === 'float32' ? P_FLOAT32 : P_FLOAT64;
  const data2: number[] = [];
  [data.time, ...columns].forEach((column) => data2.push(...Array.from(column)));
  const parts = [
    ...encodeCatalogue(encoder, layout, spec, options),
    ...encoder.record('data_2', dataP, false, data.time.length, columns.length + 1, data2),
  ];
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(Buffer.concat(parts));
  } finally {
    await handle.close();
  }
}

/**
 * Dymola's "export as plotted" (Atrajectory 1.0): `Aclass`, `names` (one row per name) and one
 * float64 `data` matrix with time in its first column. No descriptions, units or parameters.
 */
export async function writeExportAsPlotted(
  path: string,
  names: string[],
  columns: Array<ArrayLike<number>>,
  byteOrder: 'little' | 'big' = 'little'
): Promise<void> {
  const encoder = new RecordEncoder(byteOrder === 'little');
  const rows = ['Atrajectory', '1.0', 'Stored by Dymola', 'binNormal'];
  const width = 16;
  const aclass = new Uint8Array(width * 4).fill(0x20);
  rows.forEach((row, r) => Buffer.from(row, 'latin1').forEach((byte, c) => (aclass[c * 4 + r] = byte)));
  const text = textMatrix(names, false, 0x20);
  const samples = columns[0]?.length ?? 0;
  const data: number[] = [];
  columns.forEach((column) => data.push(...Array.from(column)));
  const parts = [
    ...encoder.record('Aclass', P_UINT8, true, 4, width, aclass),
    ...encoder.record('names', P_UINT8, true, text.rows, text.cols, text.data),
    ...encoder.record('data', P_FLOAT64, false, samples, columns.length, data),
  ];
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(Buffer.concat(parts));
  } finally {
    await handle.close();
  }
}
