import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { COLUMNS_DIR, evictColumnCache } from './evict';

const NOW = Date.now();
const MINUTE = 60_000;

let cacheDir: string;
let columns: string;

beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'simviz-evict-'));
  columns = path.join(cacheDir, COLUMNS_DIR);
  await mkdir(columns);
});
afterEach(async () => {
  await chmod(columns, 0o755).catch(() => undefined);
  await rm(cacheDir, { recursive: true, force: true });
});

/** A cache file of `size` bytes, last read `readAgoMs` and last written `writtenAgoMs` before NOW. */
async function cached(name: string, size: number, writtenAgoMs: number, readAgoMs = writtenAgoMs): Promise<string> {
  const file = path.join(columns, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, Buffer.alloc(size));
  await utimes(file, new Date(NOW - readAgoMs), new Date(NOW - writtenAgoMs));
  return file;
}

async function remaining(): Promise<string[]> {
  return (await readdir(columns, { recursive: true })).map(String).sort();
}

describe('evictColumnCache', () => {
  it('leaves a cache under the limit alone', async () => {
    await cached('a.cols', 100, 60 * MINUTE);
    await cached('b.cols', 100, 60 * MINUTE);
    expect(await evictColumnCache(cacheDir, 200, { now: NOW })).toEqual({ freedBytes: 0, remainingBytes: 200, deletedFiles: 0, failedFiles: 0 });
    expect(await remaining()).toEqual(['a.cols', 'b.cols']);
  });

  it('deletes the least recently read files first, until under the limit', async () => {
    await cached('read-yesterday.cols', 300, 5 * 24 * 60 * MINUTE, 24 * 60 * MINUTE);
    await cached('read-last-week.cols', 200, 5 * 24 * 60 * MINUTE, 7 * 24 * 60 * MINUTE);
    await cached('read-an-hour-ago.cols', 400, 5 * 24 * 60 * MINUTE, 60 * MINUTE);
    const result = await evictColumnCache(cacheDir, 600, { now: NOW });
    expect(result).toEqual({ freedBytes: 500, remainingBytes: 400, deletedFiles: 2, failedFiles: 0 });
    expect(await remaining()).toEqual(['read-an-hour-ago.cols']);
  });

  it('falls back to modification time where atime is not kept (noatime: atime ≤ mtime)', async () => {
    await cached('written-old.cols', 100, 10 * 60 * MINUTE, 30 * 24 * 60 * MINUTE);
    await cached('written-recently.cols', 100, 2 * MINUTE, 30 * 24 * 60 * MINUTE);
    await evictColumnCache(cacheDir, 150, { now: NOW });
    expect(await remaining()).toEqual(['written-recently.cols']);
  });

  it('never deletes files written or read in the last minute, even above the limit', async () => {
    await cached('being-written.cols.1234.partial', 500, 10_000);
    await cached('just-read.cols', 500, 60 * MINUTE, 5_000);
    await cached('idle.cols', 500, 60 * MINUTE);
    const result = await evictColumnCache(cacheDir, 100, { now: NOW });
    expect(result).toEqual({ freedBytes: 500, remainingBytes: 1000, deletedFiles: 1, failedFiles: 0 });
    expect(await remaining()).toEqual(['being-written.cols.1234.partial', 'just-read.cols']);
  });

  it('counts files in sub-folders, ignores symbolic links, and treats 0 as no limit', async () => {
    await cached('nested/deeper/old.cols', 100, 60 * MINUTE);
    const outside = path.join(cacheDir, 'outside.bin');
    await writeFile(outside, Buffer.alloc(1000));
    await symlink(outside, path.join(columns, 'link.cols'));
    expect(await evictColumnCache(cacheDir, 0, { now: NOW })).toMatchObject({ remainingBytes: 100, deletedFiles: 0 });
    expect(await evictColumnCache(cacheDir, 50, { now: NOW })).toMatchObject({ freedBytes: 100, remainingBytes: 0 });
    expect(existsSync(outside)).toBe(true);
  });

  it('answers zero for a cache that does not exist yet', async () => {
    expect(await evictColumnCache(path.join(cacheDir, 'never-made'), 10, { now: NOW })).toEqual({
      freedBytes: 0,
      remainingBytes: 0,
      deletedFiles: 0,
      failedFiles: 0,
    });
  });

  it('counts files it may not delete, and carries on with the others', async () => {
    if (process.getuid?.() === 0) {
      // root may delete anything, so no file can be made undeletable here. Instead, another replica
      // sharing the cache deletes a file while this one trims it: whenever that lands, both files
      // end up gone and none is counted twice.
      const gone = await cached('gone.cols', 300, 2 * 60 * MINUTE);
      await cached('next.cols', 300, 60 * MINUTE);
      const racing = evictColumnCache(cacheDir, 100, { now: NOW });
      await rm(gone, { force: true });
      const result = await racing;
      expect(result.remainingBytes).toBe(0);
      expect(await remaining()).toEqual([]);
      return;
    }
    await cached('locked/old.cols', 300, 2 * 60 * MINUTE);
    await cached('free.cols', 300, 60 * MINUTE);
    await chmod(path.join(columns, 'locked'), 0o555);
    const result = await evictColumnCache(cacheDir, 100, { now: NOW });
    expect(result).toMatchObject({ failedFiles: 1, deletedFiles: 1, freedBytes: 300, remainingBytes: 300 });
    await chmod(path.join(columns, 'locked'), 0o755);
  });
});
