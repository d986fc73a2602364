/**
 * What a poll costs on a large file with few new rows, against reading the file again (what a
 * live view without a tail would do). The poll reads data_2's header, a few marked bytes and the
 * new rows; the re-read streams the whole data matrix.
 *
 *   SIMVIZ_TAIL_COST_MB=100 SIMVIZ_TAIL_COST_REPORT=1 npx jest --ci -i --selectProjects server --testPathPattern src/engine/live/tail-cost
 *
 * prints the medians; by default a 32 MB file, and the test only checks the ratio.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { openResultFile } from '../decoder';
import { Mat4TrajectoryWriter, type ResultSpec } from '../writer/mat4-writer';
import { ResultTail } from './tail';

const SIGNALS = 50;
const NEW_ROWS = 1000;
const BLOCK_ROWS = 10_000;
const REPEATS = 9;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-tail-cost-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function block(firstRow: number, rows: number): Float64Array {
  const values = new Float64Array(rows * (SIGNALS + 1));
  for (let r = 0; r < rows; r++) {
    const t = (firstRow + r) * 1e-3;
    values[r * (SIGNALS + 1)] = t;
    for (let s = 1; s <= SIGNALS; s++) {
      values[r * (SIGNALS + 1) + s] = Math.sin(t * s);
    }
  }
  return values;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

it('polls a large growing file for a small fraction of a re-read', async () => {
  const megabytes = Number(process.env.SIMVIZ_TAIL_COST_MB ?? 32);
  const rowBytes = (SIGNALS + 1) * 8;
  const rows = Math.ceil((megabytes * 1e6) / rowBytes);
  const spec: ResultSpec = {
    startTime: 0,
    stopTime: rows * 1e-3,
    options: { flavour: 'openmodelica', precision: 'float64' },
    variables: Array.from({ length: SIGNALS }, (_, k) => ({ kind: 'trajectory' as const, name: `s${k}` })),
  };
  const file = path.join(dir, 'large.mat');
  const writer = await Mat4TrajectoryWriter.create(file, spec);
  for (let done = 0; done < rows; done += BLOCK_ROWS) {
    await writer.writeSteps(block(done, Math.min(BLOCK_ROWS, rows - done)));
  }
  // Flushed without patching the header: the file looks like a run in progress.
  await writer.flush();
  const names = ['time', 's0', 's10', 's20', 's49'];
  const tail = await ResultTail.open(file, { displayName: 'large.mat', variables: names });
  await tail.poll();
  expect(tail.rowCount).toBe(rows);

  const pollMs: number[] = [];
  const rereadMs: number[] = [];
  let written = rows;
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    await writer.writeSteps(block(written, NEW_ROWS));
    await writer.flush();
    written += NEW_ROWS;
    let started = performance.now();
    const events = await tail.poll();
    pollMs.push(performance.now() - started);
    expect(events.reduce((sum, event) => sum + (event.kind === 'rows' ? event.rows.time.length : 0), 0)).toBe(NEW_ROWS);

    started = performance.now();
    const result = await openResultFile(file, 'large.mat');
    const range = await result.readRange!(names.map((name) => result.findVariable(name)!));
    rereadMs.push(performance.now() - started);
    expect(range.time.length).toBe(written);
  }
  await writer.close();
  await tail.close();
  const ratio = median(rereadMs) / median(pollMs);
  if (process.env.SIMVIZ_TAIL_COST_REPORT) {
    const megabytesOnDisk = ((written * rowBytes) / 1e6).toFixed(0);
    process.stdout.write(
      `tail cost: ${megabytesOnDisk} MB, ${NEW_ROWS} new rows of ${SIGNALS + 1} signals, ${names.length} variables: ` +
        `poll ${median(pollMs).toFixed(2)} ms, re-read ${median(rereadMs).toFixed(1)} ms (median of ${REPEATS}), ratio ${ratio.toFixed(0)}\n`
    );
  }
  // A tail that read the file again would cost as much as the re-read: the margin absorbs a loaded machine.
  expect(ratio).toBeGreaterThan(4);
}, 120_000);
