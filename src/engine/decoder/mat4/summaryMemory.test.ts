/**
 * Summaries kept in memory: loaded whole (with coarse blocks that agree with the blocks), only for
 * long enough layouts, forgotten on request, and a layout gone before loading is simply not kept.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { writeResultFile } from '../../writer/mat4-writer';
import { withFile } from '../file-source';
import { COARSE_BLOCKS, COARSE_NUMBERS, SUMMARY_BLOCK, blockCount } from './blockSummary';
import { buildColumnStore, readStoreSummaries, type ColumnStoreLayout } from './columnStore';
import { ElementType } from './records';
import {
  forgetSummaries,
  keepSummariesInMemory,
  summariesInMemory,
  summaryMemoryBytes,
  summaryMemoryBytesOf,
} from './summaryMemory';
import { Arena } from '../../util/scratch';

const STEPS = 3_000;
const TIME = Array.from({ length: STEPS }, (_, i) => i * 0.1);
let dir: string;
let layout: ColumnStoreLayout;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-summary-memory-'));
  const file = path.join(dir, 'run.mat');
  const time = TIME;
  const trajectories = {
    a: time.map((t) => Math.sin(t) * t),
    b: time.map((t, i) => (i % 97 === 0 ? NaN : Math.cos(3 * t))),
  };
  const variables = Object.keys(trajectories).map((name) => ({ kind: 'trajectory' as const, name }));
  await writeResultFile(
    file,
    { startTime: 0, stopTime: time[STEPS - 1], variables, options: { precision: 'float64' } },
    { time, trajectories }
  );
  const size = await withFile(file, 'run.mat', async (source) => source.size);
  const matrix = {
    name: 'data_2',
    dataOffset: size - 3 * STEPS * 8,
    signals: 3,
    samples: STEPS,
    samplesContiguous: true,
    elementType: ElementType.Float64,
    littleEndian: true,
  };
  layout = await withFile(file, 'run.mat', (source) => buildColumnStore(source, matrix, path.join(dir, 'run.cols')));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('summaries kept in memory', () => {
  it('keeps only layouts with enough time steps', async () => {
    await keepSummariesInMemory(layout);
    expect(summariesInMemory(layout, 1)).toBeUndefined();
  });

  it('keeps every signal whole, with coarse blocks that agree with the blocks, and forgets on request', async () => {
    const before = summaryMemoryBytes();
    await keepSummariesInMemory(layout, 0);
    expect(summaryMemoryBytes() - before).toBe(summaryMemoryBytesOf(layout));
    const blocks = blockCount(STEPS);
    const [stored] = await readStoreSummaries(layout, [2], 0, blocks, new Arena(new ArrayBuffer(0)));
    const kept = summariesInMemory(layout, 2)!;
    expect(Array.from(kept.extremes)).toEqual(Array.from(stored.extremes));
    expect(Array.from(kept.positions)).toEqual(Array.from(stored.positions));
    // Each coarse block's minimum is the first least of its blocks' minima, at that block's position and its time.
    for (let group = 0; group * COARSE_BLOCKS < blocks; group++) {
      let [low, at] = [Infinity, -1];
      for (let block = group * COARSE_BLOCKS; block < Math.min(blocks, (group + 1) * COARSE_BLOCKS); block++) {
        if (stored.extremes[2 * block] < low && stored.positions[2 * block] !== 255) {
          [low, at] = [stored.extremes[2 * block], block * SUMMARY_BLOCK + stored.positions[2 * block]];
        }
      }
      const coarse = kept.coarse!.subarray(COARSE_NUMBERS * group, COARSE_NUMBERS * (group + 1));
      expect([coarse[0], coarse[2], coarse[4]]).toEqual([low, at, TIME[at]]);
    }
    forgetSummaries(layout);
    expect(summariesInMemory(layout, 2)).toBeUndefined();
    expect(summaryMemoryBytes()).toBe(before);
  });

  it('keeps nothing for a layout gone before it is loaded', async () => {
    const gone = { ...layout, file: path.join(dir, 'deleted.cols') };
    await expect(keepSummariesInMemory(gone, 0)).resolves.toBeUndefined();
    expect(summariesInMemory(gone, 0)).toBeUndefined();
  });
});
