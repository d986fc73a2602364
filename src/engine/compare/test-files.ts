/**
 * For the comparison's tests only: small result files written by SimViz's own MAT v4 writer into
 * a temporary folder and opened by the decoder, as real runs are.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { openResultFile, type ResultFile } from '../decoder';
import { writeResultFile, type VariableSpec, type WriterOptions } from '../writer/mat4-writer';
import type { VariablePair } from './types';

export interface Curves {
  time: ArrayLike<number>;
  trajectories: Record<string, ArrayLike<number>>;
  parameters?: Record<string, number>;
  options?: WriterOptions;
}

export class TempResults {
  private dir = '';
  private count = 0;

  async open(): Promise<void> {
    this.dir = await mkdtemp(path.join(tmpdir(), 'simviz-compare-'));
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Writes the curves (float64 unless told otherwise, so values survive exactly) and opens the file. */
  async write(curves: Curves, name = `result${this.count++}.mat`): Promise<ResultFile> {
    const file = path.join(this.dir, name);
    const variables: VariableSpec[] = [
      ...Object.keys(curves.trajectories).map((n): VariableSpec => ({ kind: 'trajectory', name: n, unit: 'm' })),
      ...Object.entries(curves.parameters ?? {}).map(([n, value]): VariableSpec => ({
        kind: 'parameter',
        name: n,
        value,
      })),
    ];
    const time = curves.time;
    const spec = {
      startTime: time.length > 0 ? time[0] : 0,
      stopTime: time.length > 0 ? time[time.length - 1] : 0,
      variables,
      options: { precision: 'float64' as const, ...curves.options },
    };
    await writeResultFile(file, spec, { time, trajectories: curves.trajectories });
    return openResultFile(file, name);
  }
}

/** Pairs by name, as the routes resolve them (either side may lack a name). */
export function pairsOf(run: ResultFile, reference: ResultFile, names: readonly string[]): VariablePair[] {
  return names.map((name) => ({ name, run: run.findVariable(name), reference: reference.findVariable(name) }));
}

/** A small seeded generator (mulberry32), so every random case can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
