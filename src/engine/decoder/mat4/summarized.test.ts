/**
 * M4 from block summaries must pick exactly what m4Indices picks over the whole columns: for any
 * range, bucket count and data (NaN, ±Infinity, ties, -0, repeated time stamps, negated aliases);
 * from summaries read for the range or kept whole in memory with coarse blocks; from edge rows
 * read or kept.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { m4Indices } from '../../query/m4';
import { writeResultFile, type VariableSpec, type WriterOptions } from '../../writer/mat4-writer';
import { withFile } from '../file-source';
import { SUMMARY_BLOCK } from './blockSummary';
import { buildColumnStore, readStoreSummaries } from './columnStore';
import { readSignals, type DataMatrix } from './matrix';
import { ElementType, elementSize } from './records';
import {
  bucketStarts,
  planSummarized,
  sampleSummarized,
  summariesPayOff,
  summaryScratchBytes,
} from './summarized';
import type { SignalSummaries } from './summaryTypes';
import { readKeptSummaries, signalSummariesOf } from './summaryMemory';
import { PacedReader } from '../../util/paced-read';
import { Arena, scratchPool } from '../../util/scratch';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-summarized-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SIGNALS = 41;
const STEPS = 6_007;

/** Random walks with plateaus (ties), NaN, ±Infinity and signed zeros; time with repeated stamps. */
function columns(seed: number): { time: number[]; trajectories: Record<string, number[]> } {
  const next = random(seed);
  const time: number[] = [];
  for (let t = 0; time.length < STEPS; t += 0.01) {
    time.push(t);
    if (next() < 0.01 && time.length < STEPS) {
      time.push(t);
    }
  }
  const trajectories: Record<string, number[]> = {};
  for (let s = 1; s < SIGNALS; s++) {
    let level = 0;
    trajectories[`s${s}`] = time.map(() => {
      const roll = next();
      if (roll < 0.002) {
        return NaN;
      }
      if (roll < 0.003) {
        return roll < 0.0025 ? Infinity : -Infinity;
      }
      if (roll < 0.004) {
        return roll < 0.0035 ? 0 : -0;
      }
      if (roll > 0.3) {
        level += (next() - 0.5) * (s % 3 === 0 ? 1000 : 1);
      }
      return s % 7 === 0 ? Math.round(level) : level;
    });
  }
  return { time, trajectories };
}

async function writeFile(
  name: string,
  seed: number,
  options: WriterOptions
): Promise<{ file: string; matrix: DataMatrix }> {
  const file = path.join(dir, name);
  const variables: VariableSpec[] = Array.from({ length: SIGNALS - 1 }, (_, s) => ({
    kind: 'trajectory',
    name: `s${s + 1}`,
  }));
  const data = columns(seed);
  await writeResultFile(file, { startTime: 0, stopTime: data.time[STEPS - 1], variables, options }, data);
  const elementType = options.precision === 'float64' ? ElementType.Float64 : ElementType.Float32;
  const size = await withFile(file, name, async (source) => source.size);
  const matrix: DataMatrix = {
    name: 'data_2',
    dataOffset: size - SIGNALS * STEPS * elementSize(elementType),
    signals: SIGNALS,
    samples: STEPS,
    samplesContiguous: true,
    elementType,
    littleEndian: options.byteOrder !== 'big',
  };
  return { file, matrix };
}

const RANGES: Array<[number, number]> = [
  [0, STEPS],
  [1, STEPS - 1],
  [SUMMARY_BLOCK, 40 * SUMMARY_BLOCK],
  [SUMMARY_BLOCK * 3 + 5, STEPS],
  [17, 2 * SUMMARY_BLOCK + 3],
  [4000, 4100],
];
const MAX_POINTS = [4, 8, 40, 200, 1000];

describe('M4 from block summaries', () => {
  it.each([
    ['float64', 1, { precision: 'float64' }],
    ['float32', 2, {}],
    ['big-endian float64', 3, { precision: 'float64', byteOrder: 'big' }],
  ] as Array<[string, number, WriterOptions]>)('picks what m4Indices picks (%s)', async (label, seed, options) => {
    const name = label.replace(/\W/g, '_');
    const { file, matrix } = await writeFile(`${name}.mat`, seed, options);
    const all = Array.from({ length: SIGNALS }, (_, s) => s);
    const [time, ...values] = await withFile(file, label, (source) => readSignals(source, matrix, all, 0, STEPS));
    const layout = await withFile(file, label, (source) =>
      buildColumnStore(source, matrix, path.join(dir, `${name}.cols`), 100_000)
    );
    const rowBytes = SIGNALS * elementSize(matrix.elementType);
    const wanted = [1, 5, 7, 21, 40].map((signal, k) => ({ signal, negate: k % 2 === 1 }));
    const wholeSignals = await readKeptSummaries(layout);
    const keptSummaries = wanted.map((w) => signalSummariesOf(wholeSignals, w.signal));
    const others = [2, 5, 33, 33].map((signal, k) => ({ signal, negate: k >= 2 }));
    const otherSummaries = others.map((w) => signalSummariesOf(wholeSignals, w.signal));
    // Any read of the result file through this fails: edge rows must then come from those kept.
    const noFile = new PacedReader(-1, () => new Error('the result file was read'));
    let blocksUsed = 0;
    for (const [first, end] of RANGES) {
      for (const maxPoints of MAX_POINTS.filter((points) => points < end - first)) {
        const range = { first, end };
        const plan = planSummarized(time, range, maxPoints, STEPS, rowBytes);
        blocksUsed += plan.endBlock - plan.firstBlock;
        // Pooled scratch (reused, so stale values would show), and an arena too small for anything.
        const arena =
          maxPoints === 40
            ? new Arena(new ArrayBuffer(0))
            : scratchPool.arena(summaryScratchBytes(plan, wanted.length, elementSize(layout.storeType)));
        const summaries = await readStoreSummaries(
          layout,
          wanted.map((w) => w.signal),
          plan.firstBlock,
          plan.endBlock,
          arena
        );
        const kept = `${label}:${first}:${end}:${maxPoints}`;
        const sample = (reader: PacedReader, from: readonly SignalSummaries[], keep?: string, signals = wanted) =>
          sampleSummarized(reader, matrix, time, signals, plan, from, keep);
        const fromRead = await withFile(file, label, (source) => sample(source.pacedReader(), summaries));
        const coarseUnkept = await withFile(file, label, (source) => sample(source.pacedReader(), keptSummaries));
        const keeping = await withFile(file, label, (source) => sample(source.pacedReader(), keptSummaries, kept));
        const fromKept = await sample(noFile, keptSummaries, kept);
        // Signals no read asked for yet: their pieces come from the kept rows.
        const othersFromKept = await sample(noFile, otherSummaries, kept, others);
        arena.release();
        for (const series of [fromRead, coarseUnkept, keeping, fromKept]) {
          expectM4(series, first, end, maxPoints, wanted);
        }
        expectM4(othersFromKept, first, end, maxPoints, others);
      }
    }
    // The cases did go through whole blocks, not only raw samples.
    expect(blocksUsed).toBeGreaterThan(1000);

    function expectM4(
      series: Array<{ time: Float64Array; values: Float64Array }>,
      first: number,
      end: number,
      maxPoints: number,
      signals: typeof wanted
    ): void {
      signals.forEach((w, k) => {
        const column = values[w.signal - 1].subarray(first, end).map((v) => (w.negate ? -v : v));
        const kept = Array.from(m4Indices(time.subarray(first, end), column, maxPoints));
        const expected = { time: kept.map((i) => time[first + i]), values: kept.map((i) => column[i]) };
        const actual = { time: Array.from(series[k].time), values: Array.from(series[k].values) };
        expect({ first, end, maxPoints, signal: w.signal, ...actual }).toEqual({
          first,
          end,
          maxPoints,
          signal: w.signal,
          ...expected,
        });
      });
    }
  });

  it('cuts buckets where M4 does, repeated time stamps included', () => {
    const time = Float64Array.from([0, 1, 1, 1, 2, 3, 3, 4, 5, 6, 7, 8]);
    // 3 buckets over [0, 8]: edges at 8/3 and 16/3.
    expect(Array.from(bucketStarts(time, { first: 0, end: time.length }, 12))).toEqual([0, 5, 9, 12]);
    // A range without extent is one bucket.
    expect(Array.from(bucketStarts(Float64Array.from([2, 2, 2]), { first: 0, end: 3 }, 4))).toEqual([0, 3]);
  });

  it('is chosen for long narrow files and not for short wide ones', () => {
    const longTime = Float64Array.from({ length: 1_250_000 }, (_, i) => i);
    const long: DataMatrix = {
      name: 'data_2',
      dataOffset: 0,
      signals: 100,
      samples: longTime.length,
      samplesContiguous: true,
      elementType: ElementType.Float64,
      littleEndian: true,
    };
    const longRange = { first: 0, end: longTime.length };
    const longPlan = planSummarized(longTime, longRange, 2000, long.samples, 800);
    expect(summariesPayOff(longPlan, longRange, 20, long, 8, false)).toBe(true);

    const wideTime = Float64Array.from({ length: 5000 }, (_, i) => i);
    const wide: DataMatrix = { ...long, signals: 25_000, samples: wideTime.length };
    const wideRange = { first: 0, end: wideTime.length };
    const widePlan = planSummarized(wideTime, wideRange, 2000, wide.samples, 200_000);
    expect(summariesPayOff(widePlan, wideRange, 20, wide, 8, true)).toBe(false);
  });
});
