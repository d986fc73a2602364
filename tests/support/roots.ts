import { copyFile, mkdtemp, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { DataRoot } from '../../src/engine/catalog/scan';
import { writeResultFile } from '../../src/engine/writer/mat4-writer';
import { realFixture } from './fixtures';

/**
 * A run of three time steps (0, 0.5, 1) with one trajectory `x` = time + `offset`: enough for tests
 * of listings, where the values only tell files apart. `finished` dates it an hour back, so that a
 * catalog settling new files treats it as written.
 */
export async function writeTinyRun(file: string, { offset = 0, finished = false } = {}): Promise<void> {
  const time = [0, 0.5, 1];
  await writeResultFile(
    file,
    { startTime: 0, stopTime: 1, variables: [{ kind: 'trajectory', name: 'x' }] },
    { time, trajectories: { x: time.map((t) => t + offset) } }
  );
  if (finished) {
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(file, anHourAgo, anHourAgo);
  }
}

/**
 * A scratch data root holding a copy of one small real result file, dated an hour back so the
 * catalog treats it as finished rather than still being written.
 */
export async function smallRoot(name = 'lab'): Promise<DataRoot> {
  const dir = await mkdtemp(path.join(tmpdir(), `simviz-${name}-`));
  const file = path.join(dir, 'bouncingball.mat');
  await copyFile(realFixture('om119_bouncingball.mat'), file);
  const anHourAgo = new Date(Date.now() - 3600_000);
  await utimes(file, anHourAgo, anHourAgo);
  return { name, path: dir };
}
