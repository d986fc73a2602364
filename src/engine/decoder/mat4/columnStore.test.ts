import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { writeResultFile, type VariableSpec, type WriterOptions } from '../../writer/mat4-writer';
import { withFile } from '../file-source';
import { openResultFile } from '../index';
import { buildColumnStore, readStoreColumns } from './columnStore';
import { readSignals, type DataMatrix } from './matrix';
import { ElementType } from './records';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-columns-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SIGNALS = 37;
const STEPS = 1001;

async function writeFile(name: string, options: WriterOptions): Promise<string> {
  const file = path.join(dir, name);
  const variables: VariableSpec[] = Array.from({ length: SIGNALS - 1 }, (_, s) => ({ kind: 'trajectory', name: `s${s}` }));
  const time = Array.from({ length: STEPS }, (_, t) => t * 0.5);
  const trajectories = Object.fromEntries(variables.map((v, s) => [v.name, time.map((t) => Math.sin(t * (s + 1)) * 1e3 + s)]));
  await writeResultFile(file, { startTime: 0, stopTime: time[STEPS - 1], variables, options }, { time, trajectories });
  return file;
}

describe('per-variable column store', () => {
  it.each([
    ['float64', { precision: 'float64' }, ElementType.Float64],
    ['float32', {}, ElementType.Float32],
    ['big-endian float64', { precision: 'float64', byteOrder: 'big' }, ElementType.Float64],
  ] as Array<[string, WriterOptions, ElementType]>)(
    'holds exactly the strided values (%s), whatever block and group sizes the budget gives',
    async (label, options, elementType) => {
      const file = await writeFile(`${label.replace(/\W/g, '_')}.mat`, options);
      const decoded = await openResultFile(file);
      const dataOffset = (await withFile(file, label, async (source) => source.size)) - SIGNALS * STEPS * (elementType === ElementType.Float32 ? 4 : 8);
      const matrix: DataMatrix = {
        name: 'data_2',
        dataOffset,
        signals: SIGNALS,
        samples: STEPS,
        samplesContiguous: true,
        elementType,
        littleEndian: options.byteOrder !== 'big',
      };
      const all = Array.from({ length: SIGNALS }, (_, s) => s);
      const strided = await withFile(file, label, (source) => readSignals(source, matrix, all, 0, STEPS));
      expect(Array.from(strided[0])).toEqual(Array.from(await decoded.readTime()));
      // Budgets from "one row per block" up to "everything at once".
      for (const budget of [1, 1000, 7777, 1 << 26]) {
        const target = path.join(dir, `${label.replace(/\W/g, '_')}-${budget}.cols`);
        const layout = await withFile(file, label, (source) => buildColumnStore(source, matrix, target, budget));
        const columns = await readStoreColumns(layout, all, 0, STEPS);
        columns.forEach((column, s) => expect([budget, s, Array.from(column)]).toEqual([budget, s, Array.from(strided[s])]));
        const [middle] = await readStoreColumns(layout, [5], 100, 113);
        expect(Array.from(middle)).toEqual(Array.from(strided[5].subarray(100, 113)));
      }
    },
    // Budget 1 builds with one row per block, thousands of small writes: seconds on a busy machine.
    30_000
  );

  it('is built in the background after the first read and then serves reads, leaving no temporary files', async () => {
    const file = await writeFile('served.mat', { precision: 'float64' });
    const cacheDir = path.join(dir, 'cache');
    const decoded = await openResultFile(file, 'served.mat', { cacheDir, columnStoreMinBytes: 0 });
    const variables = ['s3', 's30'].map((n) => decoded.findVariable(n)!);
    const before = await decoded.readRange!(variables, 10, 20);
    expect(await (decoded as unknown as { layoutReady(): Promise<boolean> }).layoutReady()).toBe(true);
    const after = await decoded.readRange!(variables, 10, 20);
    expect(Array.from(after.time)).toEqual(Array.from(before.time));
    after.values.forEach((v, k) => expect(Array.from(v)).toEqual(Array.from(before.values[k])));
    expect(await readdir(path.join(cacheDir, 'columns'))).toEqual([expect.stringMatching(/^[0-9a-f]{32}\.cols$/)]);

    // A second instance (a restarted proxy) finds the layout and uses it at once.
    const reopened = await openResultFile(file, 'served.mat', { cacheDir, columnStoreMinBytes: 0 });
    await reopened.readValues(variables, 0, 1);
    expect(await (reopened as unknown as { layoutReady(): Promise<boolean> }).layoutReady()).toBe(true);
  });

  it('falls back to the file when the cache limit deleted a layout in use, and builds it again', async () => {
    const file = await writeFile('evicted.mat', { precision: 'float64' });
    const cacheDir = path.join(dir, 'evicted-cache');
    const decoded = await openResultFile(file, 'evicted.mat', { cacheDir, columnStoreMinBytes: 0 });
    const layoutReady = () => (decoded as unknown as { layoutReady(): Promise<boolean> }).layoutReady();
    const variables = ['s3', 's30'].map((n) => decoded.findVariable(n)!);
    const before = await decoded.readValues(variables, 0, STEPS);
    expect(await layoutReady()).toBe(true);
    await rm(path.join(cacheDir, 'columns'), { recursive: true });
    const after = await decoded.readValues(variables, 0, STEPS);
    after.forEach((v, k) => expect(Array.from(v)).toEqual(Array.from(before[k])));
    expect(await layoutReady()).toBe(true);
    expect(await readdir(path.join(cacheDir, 'columns'))).toHaveLength(1);
  });

  it('is not built below the size threshold or without a cache directory', async () => {
    const file = await writeFile('small.mat', {});
    const cacheDir = path.join(dir, 'unused');
    const decoded = await openResultFile(file, 'small.mat', { cacheDir });
    await decoded.readValues([decoded.findVariable('s1')!], 0, 10);
    expect(await (decoded as unknown as { layoutReady(): Promise<boolean> }).layoutReady()).toBe(false);
  });
});
