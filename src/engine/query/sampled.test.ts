/**
 * The streamed, downsampled read (large binTrans files) must answer exactly what whole columns
 * downsampled by m4Indices answer: first reads from the file, later reads from the layout.
 */
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { openResultFile, type ResultFile } from '../decoder';
import { writeResultFile, type ResultSpec, type WriterOptions } from '../writer/mat4-writer';
import { edgeRows } from '../decoder/mat4/edgeRows';
import { summaryMemoryBytes } from '../decoder/mat4/summaryMemory';
import { querySeriesFromFile } from './run';

let dir: string;
const STEPS = 20_000;
/** Float64 and float32 rows are scanned in place; big-endian rows are gathered first. */
const FORMATS: Array<[string, WriterOptions]> = [
  ['float64', { precision: 'float64' }],
  ['float32', { precision: 'float32' }],
  ['big-endian float64', { precision: 'float64', byteOrder: 'big' }],
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-sampled-'));
  // Events: every 1000th time stamp is stored twice.
  const time: number[] = [];
  for (let i = 0; time.length < STEPS; i++) {
    time.push(i * 0.01);
    if (i % 1000 === 999 && time.length < STEPS) {
      time.push(i * 0.01);
    }
  }
  const spec = (options: WriterOptions): ResultSpec => ({
    startTime: 0,
    stopTime: time[time.length - 1],
    options,
    variables: [
      { kind: 'trajectory', name: 'wave' },
      { kind: 'trajectory', name: 'spiky' },
      { kind: 'alias', name: 'minusWave', of: 'wave', negate: true },
      { kind: 'parameter', name: 'k', value: 4 },
    ],
  });
  const trajectories = {
    wave: time.map((t) => Math.sin(t * 3) * t),
    spiky: time.map((t, i) => (i % 777 === 0 ? NaN : i % 555 === 0 ? 1e6 : Math.cos(t))),
  };
  for (const [label, options] of FORMATS) {
    await writeResultFile(fileOf(label), spec(options), { time, trajectories });
  }
});

const fileOf = (label: string) => path.join(dir, `${label.replace(/\W/g, '_')}.mat`);

afterAll(() => rm(dir, { recursive: true, force: true }));

const REQUESTS = [
  { variables: ['wave', 'spiky', 'minusWave', 'k'], maxDataPoints: 400 },
  { variables: ['wave', 'minusWave'], maxDataPoints: 1000, from: 12.5, to: 99.99 },
  { variables: ['spiky', 'k'], maxDataPoints: 7, from: 9.99, to: 10 },
  { variables: ['wave'], maxDataPoints: 50_000 },
  { variables: ['wave', 'k'], maxDataPoints: 100, from: 500, to: 600 },
  // Buckets wide enough that the layout answers from block summaries (decoder/mat4/summarized.ts).
  { variables: ['wave', 'spiky', 'minusWave'], maxDataPoints: 40 },
  { variables: ['minusWave', 'spiky'], maxDataPoints: 60, from: 33.3, to: 170 },
];

async function answers(decoded: ResultFile) {
  const out = [];
  for (const request of REQUESTS) {
    out.push(await querySeriesFromFile(decoded, { id: 'x', name: 'long' }, request));
  }
  return out;
}

describe('streamed downsampled reads', () => {
  it.each(FORMATS)('equal whole-column reads downsampled by m4Indices, from the file and from the layout (%s)', async (label) => {
    const file = fileOf(label);
    // Whole columns: the file is small enough to be kept in memory by default.
    const reference = await answers(await openResultFile(file, 'long.mat'));
    const fromFile = await openResultFile(file, 'long.mat', { columnStoreMinBytes: 0, streamedReadMinBytes: 0 });
    expect(await answers(fromFile)).toEqual(reference);

    const cacheDir = path.join(dir, `cache-${path.basename(file, '.mat')}`);
    const withLayout = await openResultFile(file, 'long.mat', { columnStoreMinBytes: 0, streamedReadMinBytes: 0, cacheDir });
    expect(await answers(withLayout)).toEqual(reference);
    expect(await (withLayout as unknown as { layoutReady(): Promise<boolean> }).layoutReady()).toBe(true);
    expect(await answers(withLayout)).toEqual(reference);
    expect(reference[0][0]).toMatchObject({ downsampled: true, pointsInRange: STEPS });
    // The streamed path did answer (not a fallback to whole columns).
    const streamed = await withLayout.readSampled!([withLayout.findVariable('wave')!], 400);
    expect(streamed?.pointsInRange).toBe(STEPS);
    // Summaries kept in memory, and the rows and pieces at bucket edges kept: filled, then reused.
    const inMemory = await openResultFile(file, 'long.mat', { columnStoreMinBytes: 0, streamedReadMinBytes: 0, cacheDir, summaryMemoryMinSamples: 0 });
    await answers(inMemory);
    expect(await (inMemory as unknown as { layoutReady(): Promise<boolean> }).layoutReady()).toBe(true);
    expect(summaryMemoryBytes()).toBeGreaterThan(0);
    expect(await answers(inMemory)).toEqual(reference);
    const edgeBuffers = edgeRows.bytes;
    expect(edgeBuffers).toBeGreaterThan(0);
    expect(await answers(inMemory)).toEqual(reference);
    // A layout truncated under the proxy: the same answers (from the file), then a rebuilt layout.
    const [layoutFile] = await readdir(path.join(cacheDir, 'columns'));
    const layoutPath = path.join(cacheDir, 'columns', layoutFile);
    await truncate(layoutPath, (await stat(layoutPath)).size - 100);
    expect(await answers(withLayout)).toEqual(reference);
    expect(await (withLayout as unknown as { layoutReady(): Promise<boolean> }).layoutReady()).toBe(true);
    expect(await answers(withLayout)).toEqual(reference);
    const firstRead = await (await openResultFile(file, 'long.mat', { columnStoreMinBytes: 0, streamedReadMinBytes: 0 })).readSampled!([withLayout.findVariable('wave')!], 400, 3, 90);
    expect(firstRead?.series[0].time.length).toBeGreaterThan(0);
    // Each format writes and reads four decodes and builds a layout twice: about 3 s on an idle machine.
  }, 30_000);
});
