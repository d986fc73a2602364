import { copyFile, mkdtemp, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { DataRoot } from '../catalog/scan';
import { realFixture } from './fixtures';

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
