/**
 * A data root that goes away (a share unmounted, a folder moved) and comes back: its runs stay
 * listed, as errors naming the root, and return to what they were without a restart. A restart
 * during the outage must not remember the outage as the files' state.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';

import { writeTinyRun } from '../../../tests/support/roots';
import { Catalog } from './catalog';
import type { DataRoot } from './scan';

let base: string;
let root: DataRoot;
let cacheDir: string;

async function writeRun(name: string): Promise<void> {
  await writeTinyRun(path.join(root.path, name));
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'simviz-root-outage-'));
  root = { name: 'share', path: path.join(base, 'share') };
  cacheDir = path.join(base, 'cache');
  await mkdir(path.join(root.path, 'sub'), { recursive: true });
  await writeRun('a.mat');
  await writeRun('sub/b.mat');
});

afterAll(() => rm(base, { recursive: true, force: true }));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const statuses = (catalog: Catalog) => catalog.list({ limit: 100, offset: 0 }).items.map((s) => [s.path, s.status, s.error ?? null]);

describe('a data root that goes away and comes back', () => {
  it('lists its runs as errors naming the root meanwhile, then as they were, without a restart', async () => {
    const catalog = new Catalog([root], pino({ level: 'silent' }), { watch: {}, settleMs: 0, rootCheckMs: 100, indexDir: cacheDir });
    await catalog.start();
    try {
      const before = catalog.list({ limit: 100, offset: 0 }).items;
      expect(before.map((s) => [s.path, s.status])).toEqual([
        ['a.mat', 'ok'],
        ['sub/b.mat', 'ok'],
      ]);

      await rename(root.path, `${root.path}.away`);
      await until(() => catalog.statusCounts.error === 2);
      expect(statuses(catalog)).toEqual([
        ['a.mat', 'error', expect.stringMatching(/^share\/a\.mat: its data root "share" \(.*\) is not available: the folder does not exist$/)],
        ['sub/b.mat', 'error', expect.stringContaining('its data root "share"')],
      ]);

      // A restart meanwhile: the index keeps the runs as they were, not the outage.
      await catalog.close();
      await rename(`${root.path}.away`, root.path);
      const restarted = new Catalog([root], pino({ level: 'silent' }), { indexDir: cacheDir });
      await restarted.start();
      expect(restarted.list({ limit: 100, offset: 0 }).items).toEqual(before);
      await restarted.close();
    } finally {
      await catalog.close();
    }
  }, 30_000);

  it('recovers in place when the root comes back, picking up what changed meanwhile', async () => {
    const catalog = new Catalog([root], pino({ level: 'silent' }), { watch: {}, settleMs: 0, rootCheckMs: 100 });
    await catalog.start();
    try {
      const before = catalog.list({ limit: 100, offset: 0 }).items;
      await rename(root.path, `${root.path}.away`);
      await until(() => catalog.statusCounts.error === 2);
      await rm(path.join(`${root.path}.away`, 'sub', 'b.mat'));
      await rename(`${root.path}.away`, root.path);
      await until(() => catalog.statusCounts.error === 0 && catalog.size === 1);
      expect(catalog.list({ limit: 100, offset: 0 }).items).toEqual([before[0]]);
      // Watched again: a run added after the return is picked up.
      await writeRun('c.mat');
      await until(() => catalog.statusCounts.ok === 2);
      expect(statuses(catalog)).toEqual([
        ['a.mat', 'ok', null],
        ['c.mat', 'ok', null],
      ]);
    } finally {
      await catalog.close();
    }
  }, 30_000);
});
