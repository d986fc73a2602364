import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { openResultFile } from '..';
import { DecodeError } from '../errors';
import { withFile } from '../file-source';
import type { ResultFile } from '../types';
import { configureHdf5Worker, openHdf5Result, shutdownHdf5Worker } from '.';
import { writeHdf5Fixtures } from '../../../../tests/support/hdf5-fixtures';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-hdf5-'));
  writeHdf5Fixtures(dir);
}, 60_000);

afterAll(async () => {
  await shutdownHdf5Worker();
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => configureHdf5Worker({}));

function open(name: string, kind: 'mat73' | 'hdf5'): Promise<ResultFile> {
  return withFile(path.join(dir, name), name, (source) => openHdf5Result(source, kind));
}

async function failure(name: string, kind: 'mat73' | 'hdf5'): Promise<DecodeError> {
  const error = await open(name, kind).then(
    () => undefined,
    (thrown: unknown) => thrown
  );
  if (!(error instanceof DecodeError)) {
    throw new Error(`expected a DecodeError for ${name}, got ${String(error)}`);
  }
  return error;
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

async function column(file: ResultFile, name: string): Promise<number[]> {
  const variable = file.findVariable(name);
  if (!variable) {
    throw new Error(`no variable ${name}`);
  }
  const [values] = await file.readValues([variable], 0, file.timePointCount);
  return Array.from(values);
}

function summary(file: ResultFile) {
  return file.variables.map(({ name, kind, unit, displayUnit, description, valueType, value }) => ({
    name,
    kind,
    unit,
    displayUnit,
    description,
    valueType,
    ...(value === undefined ? {} : { value }),
  }));
}

const plain = { unit: null, displayUnit: null, description: '', valueType: null };

describe('SDF layout (HDF5 written by h5py)', () => {
  it('lists datasets as variables with units, display units, comments and the time scale as abscissa', async () => {
    const file = await open('sdf.h5', 'hdf5');
    expect(file.format).toBe('sdf');
    expect(file.timePointCount).toBe(101);
    expect(file.startTime).toBe(0);
    expect(file.stopTime).toBe(2);
    expect(summary(file)).toEqual([
      { ...plain, name: 'Time', kind: 'time', unit: 's', description: 'Time' },
      { ...plain, name: 'flag', kind: 'trajectory', valueType: 'Boolean' },
      { ...plain, name: 'm[1]', kind: 'trajectory', unit: 'V', description: 'Voltages' },
      { ...plain, name: 'm[2]', kind: 'trajectory', unit: 'V', description: 'Voltages' },
      { ...plain, name: 'm[3]', kind: 'trajectory', unit: 'V', description: 'Voltages' },
      { ...plain, name: 'n', kind: 'trajectory', valueType: 'Integer' },
      { ...plain, name: 'p', kind: 'parameter', unit: 'kg', description: 'Mass', value: 3.5 },
      { ...plain, name: 'a.y', kind: 'trajectory', unit: 'm/s', displayUnit: 'km/h', description: 'Speed' },
      { ...plain, name: 'a.b.x', kind: 'trajectory', unit: 'K', displayUnit: 'degC', description: 'Temperature of x' },
    ]);
  });

  it('reads the abscissa and every kind of dataset with their exact values', async () => {
    const file = await open('sdf.h5', 'hdf5');
    expect(Array.from(await file.readTime())).toEqual(range(101, (i) => i / 50));
    expect(await column(file, 'a.b.x')).toEqual(range(101, (i) => 3 * (i / 50) - 1));
    expect(await column(file, 'a.y')).toEqual(range(101, (i) => i * 0.5));
    for (const j of [0, 1, 2]) {
      expect(await column(file, `m[${j + 1}]`)).toEqual(range(101, (i) => i * 10 + j));
    }
    expect(await column(file, 'n')).toEqual(range(101, (i) => i));
    expect(await column(file, 'flag')).toEqual(range(101, (i) => (i % 3 === 0 ? 1 : 0)));
    expect(await column(file, 'p')).toEqual(range(101, () => 3.5));
    expect(file.findVariable('time')?.name).toBe('Time');
  });

  it('skips datasets that do not follow the abscissa: other lengths, text, transposed 2-D', async () => {
    const file = await open('sdf.h5', 'hdf5');
    expect(file.findVariable('other')).toBeUndefined();
    expect(file.findVariable('note')).toBeUndefined();
    expect(file.findVariable('k[1]')).toBeUndefined();
  });

  it('uses a root time dataset when no dataset has a dimension scale', async () => {
    const file = await open('sdf-root-time.h5', 'hdf5');
    expect(file.variables.map((v) => [v.name, v.kind])).toEqual([
      ['time', 'time'],
      ['v', 'trajectory'],
      ['g.w', 'trajectory'],
    ]);
    expect(await column(file, 'g.w')).toEqual(range(11, (i) => -i));
    expect(Array.from(await file.readTime())).toEqual(range(11, (i) => i / 10));
  });

  it('is reached through openResultFile by sniffing the HDF5 signature', async () => {
    const file = await openResultFile(path.join(dir, 'sdf.h5'), 'sdf.h5');
    expect(file.format).toBe('sdf');
    expect(await column(file, 'a.b.x')).toEqual(range(101, (i) => 3 * (i / 50) - 1));
  });

  it.each([
    ['no-numeric.h5', 'not_a_trajectory', 'no-numeric.h5: HDF5 file has no numeric datasets'],
    [
      'no-axis.h5',
      'not_a_trajectory',
      'no-axis.h5: HDF5 file has no time axis: no dataset has a dimension scale on its first dimension and there is no /Time or /time dataset',
    ],
    [
      'decreasing.h5',
      'not_a_trajectory',
      'decreasing.h5: time axis "Time" is not non-decreasing (sample 2 is 0.5 after 1)',
    ],
  ])('rejects %s', async (name, code, message) => {
    const error = await failure(name, 'hdf5');
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });
});

describe('MATLAB v7.3 MAT-files (written by hdf5storage)', () => {
  it('lists numeric arrays and struct fields; matrices give one variable per column or row', async () => {
    const file = await open('mat73.mat', 'mat73');
    expect(file.format).toBe('mat73');
    expect(file.timePointCount).toBe(21);
    expect(summary(file)).toEqual([
      { ...plain, name: 'time', kind: 'time' },
      { ...plain, name: 'L', kind: 'trajectory', valueType: 'Boolean' },
      { ...plain, name: 'M[1]', kind: 'trajectory' },
      { ...plain, name: 'M[2]', kind: 'trajectory' },
      { ...plain, name: 'M[3]', kind: 'trajectory' },
      { ...plain, name: 'R[1]', kind: 'trajectory' },
      { ...plain, name: 'R[2]', kind: 'trajectory' },
      { ...plain, name: 'big', kind: 'trajectory', valueType: 'Integer' },
      { ...plain, name: 'i', kind: 'trajectory', valueType: 'Integer' },
      { ...plain, name: 'k', kind: 'parameter', valueType: 'Integer', value: 7 },
      { ...plain, name: 's.a', kind: 'trajectory' },
      { ...plain, name: 's.b', kind: 'parameter', value: 2.5 },
      { ...plain, name: 's.inner.c', kind: 'trajectory', valueType: 'Integer' },
    ]);
  });

  it('reads double, single, integer and logical arrays, matrix columns and rows, with exact values', async () => {
    const file = await open('mat73.mat', 'mat73');
    expect(Array.from(await file.readTime())).toEqual(range(21, (j) => j / 20));
    for (const c of [0, 1, 2]) {
      expect(await column(file, `M[${c + 1}]`)).toEqual(range(21, (j) => j * 10 + c));
    }
    expect(await column(file, 'R[1]')).toEqual(range(21, (j) => j));
    expect(await column(file, 'R[2]')).toEqual(range(21, (j) => j * -2));
    expect(await column(file, 's.a')).toEqual(range(21, (j) => j * 0.25));
    expect(await column(file, 's.inner.c')).toEqual(range(21, (j) => j - 10));
    expect(await column(file, 'i')).toEqual(range(21, (j) => j * 3));
    expect(await column(file, 'L')).toEqual(range(21, (j) => (j % 2 === 0 ? 1 : 0)));
    expect(await column(file, 'big')).toEqual(range(21, (j) => j * 1_000_000));
  });

  it('skips char, cell, complex and empty arrays and vectors of another length', async () => {
    const file = await open('mat73.mat', 'mat73');
    for (const name of ['name', 'c', 'z', 'e', 'short']) {
      expect(file.findVariable(name)).toBeUndefined();
    }
  });

  it('uses the sample index as abscissa when there is no time vector', async () => {
    const file = await open('mat73-notime.mat', 'mat73');
    expect(file.variables.map((v) => [v.name, v.kind])).toEqual([
      ['index2', 'time'],
      ['index', 'trajectory'],
      ['q', 'parameter'],
      ['x', 'trajectory'],
      ['y', 'trajectory'],
    ]);
    expect(file.variables[0].unit).toBeNull();
    expect(Array.from(await file.readTime())).toEqual(range(10, (i) => i));
    expect(await column(file, 'x')).toEqual(range(10, (i) => i * 1.5));
    expect(await column(file, 'index')).toEqual(range(10, (i) => i + 100));
  });

  it('is reached through openResultFile by sniffing the MAT header', async () => {
    const file = await openResultFile(path.join(dir, 'mat73.mat'), 'mat73.mat');
    expect(file.format).toBe('mat73');
    expect(await column(file, 'M[2]')).toEqual(range(21, (j) => j * 10 + 1));
  });

  it('rejects a MAT-file without numeric variables', async () => {
    const error = await failure('mat73-text.mat', 'mat73');
    expect(error.code).toBe('not_a_trajectory');
    expect(error.message).toBe(
      'mat73-text.mat: MAT-file has no numeric variables (char, cell, sparse and complex arrays are not read)'
    );
  });
});

describe('range reads', () => {
  it.each([
    ['sdf.h5', 'hdf5'],
    ['mat73.mat', 'mat73'],
  ] as const)(
    '%s: every [first, end) equals the slice of the full read, also when split into small requests',
    async (name, kind) => {
      const file = await open(name, kind);
      const variables = file.variables;
      const n = file.timePointCount;
      const full = await file.readValues(variables, 0, n);
      const ranges = [
        [0, 0],
        [0, 1],
        [5, 6],
        [3, 17],
        [n - 1, n],
        [n - 5, n + 40],
        [-3, 4],
      ];
      for (const valuesPerRequest of [1 << 22, 7, 1]) {
        configureHdf5Worker({ valuesPerRequest });
        for (const [first, end] of ranges) {
          const part = await file.readValues(variables, first, end);
          const [from, to] = [Math.max(0, first), Math.min(n, end)];
          expect(part.map((values) => Array.from(values))).toEqual(
            full.map((values) => Array.from(values.slice(from, to)))
          );
        }
      }
    }
  );
});

describe('files that are not valid HDF5', () => {
  it('rejects a file with the HDF5 signature followed by garbage', async () => {
    const garbage = Buffer.concat([
      Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(4000, 0x5a),
    ]);
    await writeFile(path.join(dir, 'garbage.h5'), garbage);
    const error = await failure('garbage.h5', 'hdf5');
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/^garbage\.h5: cannot be opened as an HDF5 file \(HDF5: .+\)$/);
  });

  it('says a cut-off file is truncated', async () => {
    const whole = await import('node:fs/promises').then((fs) => fs.readFile(path.join(dir, 'sdf.h5')));
    await writeFile(path.join(dir, 'cut.h5'), whole.subarray(0, 3000));
    const error = await failure('cut.h5', 'hdf5');
    expect(error.code).toBe('truncated');
    expect(error.message).toMatch(
      /^cut\.h5: cannot be opened as an HDF5 file \(HDF5: truncated file: eof = 3000, .*stored_eof = \d+\)$/
    );
  });

  it('stops the library when it runs past the timeout and recovers for the next file', async () => {
    configureHdf5Worker({ timeoutMs: 1 });
    const error = await failure('sdf.h5', 'hdf5');
    expect(error.code).toBe('corrupt');
    const message =
      'sdf.h5: the HDF5 library did not finish reading within 0.001 s and was stopped (the file is probably corrupt)';
    expect(error.message).toBe(message);
    // Remembered while the file and the limit stay the same; a longer limit tries again.
    expect((await failure('sdf.h5', 'hdf5')).message).toBe(message);
    configureHdf5Worker({});
    expect((await open('sdf.h5', 'hdf5')).variables).toHaveLength(9);
    expect((await open('mat73.mat', 'mat73')).variables).toHaveLength(13);
  });
});
