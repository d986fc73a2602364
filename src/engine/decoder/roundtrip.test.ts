import { mkdtemp, open as openFile, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Mat4TrajectoryWriter, writeExportAsPlotted, writeResultFile, type ResultSpec, type WriterOptions } from '../writer/mat4-writer';
import { DecodeError, openResultFile } from './index';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-roundtrip-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SPEC: ResultSpec = {
  startTime: 0,
  stopTime: 2,
  variables: [
    { kind: 'parameter', name: 'R', description: 'Resistance', unit: 'Ohm', value: 10 },
    { kind: 'trajectory', name: 'zone.T', description: 'Temperature', unit: 'K', displayUnit: 'degC' },
    { kind: 'trajectory', name: 'x[1, 2]', description: 'Matrix element' },
    { kind: 'alias', name: 'zone.minusT', of: 'zone.T', negate: true },
    { kind: 'alias', name: 'minusR', of: 'R', negate: true },
    { kind: 'trajectory', name: 'heater.on', description: 'Switch', valueType: 'Boolean' },
  ],
};
const TIME = [0, 0.5, 1, 1, 2];
const DATA = {
  time: TIME,
  trajectories: { 'zone.T': [293.15, 294, 0, 295.5, 296.25], 'x[1, 2]': [1, -2, 3, 4, 1e-3], 'heater.on': [0, 1, 1, 0, 0] },
};

const VARIANTS: Array<[string, WriterOptions]> = [
  ['Dymola binTrans float32', {}],
  ['binNormal float64', { layout: 'binNormal', precision: 'float64' }],
  ['binNormal float32', { layout: 'binNormal' }],
  ['big-endian OpenModelica', { byteOrder: 'big', flavour: 'openmodelica', precision: 'float64' }],
  ['float64 text and dataInfo, one data_1 column', { textType: 'float64', dataInfoType: 'float64', data1Samples: 1 }],
];

describe('MAT v4 writer and reader round trip', () => {
  it.each(VARIANTS)('%s', async (label, options) => {
    const file = path.join(dir, `${label.replace(/\W+/g, '_')}.mat`);
    await writeResultFile(file, { ...SPEC, options }, DATA);
    const result = await openResultFile(file);
    const widen = (v: number) => (options.precision === 'float64' ? v : Math.fround(v));

    expect(result.timePointCount).toBe(TIME.length);
    expect(Array.from(await result.readTime())).toEqual(TIME.map(widen));
    expect(result.variables.map((v) => [v.name, v.kind])).toEqual([
      [options.flavour === 'openmodelica' ? 'time' : 'Time', 'time'],
      ['R', 'parameter'],
      ['zone.T', 'trajectory'],
      ['x[1, 2]', 'trajectory'],
      ['zone.minusT', 'trajectory'],
      ['minusR', 'parameter'],
      ['heater.on', 'trajectory'],
    ]);
    expect(result.findVariable('zone.T')).toMatchObject({ unit: 'K', displayUnit: 'degC', description: 'Temperature' });
    expect(result.findVariable('heater.on')).toMatchObject({ valueType: 'Boolean', unit: null });
    expect(result.findVariable('minusR')?.value).toBe(-10);

    const names = ['zone.T', 'zone.minusT', 'x[1,2]', 'heater.on'];
    const variables = names.map((n) => result.findVariable(n)!);
    const [temperature, negated, element, on] = await result.readValues(variables, 0, TIME.length);
    expect(Array.from(temperature)).toEqual(DATA.trajectories['zone.T'].map(widen));
    expect(Array.from(negated)).toEqual(DATA.trajectories['zone.T'].map((v) => -widen(v)));
    expect(Object.is(negated[2], -0)).toBe(true);
    expect(Array.from(element)).toEqual(DATA.trajectories['x[1, 2]'].map(widen));
    expect(Array.from(on)).toEqual([0, 1, 1, 0, 0]);
    const [middle] = await result.readValues([variables[0]], 1, 3);
    expect(Array.from(middle)).toEqual([294, 0].map(widen));
  });

  it('reads a file that is still being written, and the new rows once it grows', async () => {
    const file = path.join(dir, 'growing.mat');
    const writer = await Mat4TrajectoryWriter.create(file, SPEC);
    await writer.writeStep(0, [1, 2, 0]);
    await writer.writeStep(0.5, [1.5, 2, 1]);
    await writer.flush();
    const early = await openResultFile(file);
    expect(early.timePointCount).toBe(2);
    expect(early.stopTime).toBe(0.5);

    await writer.writeStep(1, [2, 2, 1]);
    await writer.flush();
    // Half a row at the end (a write in progress) is not a time point yet.
    await writeFile(file, new Uint8Array(6), { flag: 'a' });
    const later = await openResultFile(file);
    expect(later.timePointCount).toBe(3);
    const [temperature] = await later.readValues([later.findVariable('zone.T')!], 0, 3);
    expect(Array.from(temperature)).toEqual([1, 1.5, 2]);
    await writer.abandon();
  });

  it('reads a result with zero time points', async () => {
    const file = path.join(dir, 'empty-run.mat');
    await writeResultFile(file, SPEC, { time: [], trajectories: { 'zone.T': [], 'x[1, 2]': [], 'heater.on': [] } });
    const result = await openResultFile(file);
    expect(result.timePointCount).toBe(0);
    expect([result.startTime, result.stopTime]).toEqual([0, 2]);
    expect(await result.readTime()).toHaveLength(0);
  });
});

describe('other layouts', () => {
  it.each(['little', 'big'] as const)("reads Dymola's export-as-plotted files (Atrajectory 1.0, %s-endian)", async (byteOrder) => {
    const file = path.join(dir, `plotted-${byteOrder}.mat`);
    await writeExportAsPlotted(file, ['Time', 'J1.w', 'J2.phi'], [[0, 1, 2], [0.5, -0, 7], [1e-3, 2e-3, 3e-3]], byteOrder);
    const result = await openResultFile(file);
    expect(result.variables.map((v) => [v.name, v.kind])).toEqual([
      ['Time', 'time'],
      ['J1.w', 'trajectory'],
      ['J2.phi', 'trajectory'],
    ]);
    const values = await result.readValues(result.variables, 0, 3);
    expect(values.map((v) => Array.from(v))).toEqual([[0, 1, 2], [0.5, -0, 7], [1e-3, 2e-3, 3e-3]]);
    expect([result.startTime, result.stopTime]).toEqual([0, 2]);
  });

  it('reads files larger than 2 GiB by 64-bit position', async () => {
    // A sparse file: data_2 holds 140 million time steps (2.24 GB), all zero but the last three.
    const file = path.join(dir, 'large.mat');
    const spec: ResultSpec = { startTime: 0, stopTime: 3, variables: [{ kind: 'trajectory', name: 'x', unit: 'm' }], options: { precision: 'float64' } };
    const writer = await Mat4TrajectoryWriter.create(file, spec);
    await writer.writeStep(0, [0]);
    await writer.abandon();
    const steps = 140_000_000;
    const rowBytes = 16;
    const handle = await openFile(file, 'r+');
    const { size: headerEnd } = await handle.stat();
    const dataOffset = headerEnd - rowBytes;
    const tail = new Float64Array([1, 10, 2, 20, 3, 30]);
    await handle.write(new Uint8Array(tail.buffer), 0, tail.byteLength, dataOffset + (steps - 3) * rowBytes);
    const cols = new Uint8Array(new Int32Array([steps]).buffer);
    // The data_2 header's ncols field sits 12 bytes before its 8-byte name ("data_2" + NUL).
    await handle.write(cols, 0, 4, dataOffset - 7 - 12);
    await handle.close();

    const result = await openResultFile(file);
    expect(result.sizeBytes).toBeGreaterThan(2 ** 31);
    expect(result.timePointCount).toBe(steps);
    expect(result.stopTime).toBe(3);
    const [x] = await result.readValues([result.findVariable('x')!], steps - 3, steps);
    expect(Array.from(x)).toEqual([10, 20, 30]);
  });
});

describe('damaged files', () => {
  let original: Buffer;
  const source = () => path.join(dir, 'intact.mat');

  beforeAll(async () => {
    await writeResultFile(source(), SPEC, DATA);
    original = await readFile(source());
  });

  it('fails with a DecodeError naming the file at every truncation point before the data', async () => {
    const catalogueEnd = original.length - TIME.length * 4 * 4;
    const damaged = path.join(dir, 'truncated.mat');
    for (let length = 0; length < catalogueEnd; length++) {
      await writeFile(damaged, original.subarray(0, length));
      const outcome = await openResultFile(damaged, 'truncated.mat').then(
        () => 'decoded',
        (error: unknown) => error
      );
      expect(outcome).toBeInstanceOf(DecodeError);
      expect((outcome as DecodeError).message).toMatch(/^truncated\.mat: /);
    }
  });

  it('treats a file cut inside its trajectories as a run in progress', async () => {
    const damaged = path.join(dir, 'cut-data.mat');
    await writeFile(damaged, original);
    await truncate(damaged, original.length - 10);
    const result = await openResultFile(damaged);
    expect(result.timePointCount).toBe(TIME.length - 1);
  });

  it('never throws anything but a DecodeError on random byte flips', async () => {
    const damaged = path.join(dir, 'flipped.mat');
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 400; round++) {
      const bytes = Buffer.from(original);
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
        bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
      }
      await writeFile(damaged, bytes);
      try {
        const result = await openResultFile(damaged);
        await result.readValues(result.variables, 0, result.timePointCount);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
      }
    }
  });

  it('names empty, missing and non-result files', async () => {
    const empty = path.join(dir, 'empty.mat');
    await writeFile(empty, '');
    await expect(openResultFile(empty, 'empty.mat')).rejects.toMatchObject({ code: 'empty', message: 'empty.mat: file is empty' });
    await expect(openResultFile(path.join(dir, 'missing.mat'), 'missing.mat')).rejects.toMatchObject({ code: 'not_found' });
    const text = path.join(dir, 'notes.mat');
    await writeFile(text, 'these are my notes. not a result file\n');
    await expect(openResultFile(text, 'notes.mat')).rejects.toMatchObject({ code: 'unknown_format' });
    await expect(openResultFile(dir, 'folder.mat')).rejects.toMatchObject({ code: 'unreadable' });
  });
});
