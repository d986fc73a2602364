import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Keeps the per-variable layouts (`<cacheDir>/columns/*.cols`, written by the MAT v4 decoder) under
 * a size limit by deleting the least recently used ones. Every layout can be rebuilt from its
 * result file, so deleting one costs only the time to build it again.
 */

/** Files modified this recently may still be being written (or just built for a waiting read). */
export const DEFAULT_MIN_AGE_MS = 60_000;

export const COLUMNS_DIR = 'columns';

export interface EvictionOptions {
  /** The clock, for tests. */
  now?: number;
  /** Never delete files modified or read within this many milliseconds. */
  minAgeMs?: number;
}

export interface EvictionResult {
  /** Bytes deleted. */
  freedBytes: number;
  /** Bytes left under `columns/` (may stay above the limit when only young files remain). */
  remainingBytes: number;
  deletedFiles: number;
  /** Files that could not be deleted (permissions, read-only mount); the others are still tried. */
  failedFiles: number;
}

interface CachedFile {
  path: string;
  size: number;
  /** When the file was last read or written, as far as the file system tells. */
  lastUsedMs: number;
  modifiedMs: number;
}

/**
 * Deletes least recently used files under `<cacheDir>/columns` until their total is at most
 * `maxBytes` (0: no limit). "Used" is the later of atime and mtime: atime tracks reads where the
 * mount updates it (relatime does, at least daily), and on noatime mounts it never passes mtime,
 * so the order falls back to modification time by itself.
 */
export async function evictColumnCache(cacheDir: string, maxBytes: number, options: EvictionOptions = {}): Promise<EvictionResult> {
  const now = options.now ?? Date.now();
  const minAgeMs = options.minAgeMs ?? DEFAULT_MIN_AGE_MS;
  const files = await listFiles(path.join(cacheDir, COLUMNS_DIR));
  let remainingBytes = files.reduce((sum, file) => sum + file.size, 0);
  const result: EvictionResult = { freedBytes: 0, remainingBytes, deletedFiles: 0, failedFiles: 0 };
  if (maxBytes <= 0 || remainingBytes <= maxBytes) {
    return result;
  }
  const candidates = files
    .filter((file) => now - file.modifiedMs >= minAgeMs && now - file.lastUsedMs >= minAgeMs)
    .sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  for (const file of candidates) {
    if (remainingBytes <= maxBytes) {
      break;
    }
    const outcome = await deleteFile(file.path);
    if (outcome === 'failed') {
      result.failedFiles += 1;
      continue;
    }
    // A file another replica deleted first no longer counts either.
    remainingBytes -= file.size;
    if (outcome === 'deleted') {
      result.freedBytes += file.size;
      result.deletedFiles += 1;
    }
  }
  result.remainingBytes = remainingBytes;
  return result;
}

/** Regular files below `dir`, recursively; symbolic links are neither followed nor counted. */
async function listFiles(dir: string): Promise<CachedFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw error;
  }
  const files: CachedFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    // Another process (a second replica, the decoder) may delete a file between readdir and lstat.
    const stats = await lstat(file).catch(() => undefined);
    if (stats?.isDirectory()) {
      files.push(...(await listFiles(file)));
    } else if (stats?.isFile()) {
      files.push({ path: file, size: stats.size, lastUsedMs: Math.max(stats.atimeMs, stats.mtimeMs), modifiedMs: stats.mtimeMs });
    }
  }
  return files;
}

/** `gone` when another replica sharing the cache deleted the file first. */
async function deleteFile(file: string): Promise<'deleted' | 'gone' | 'failed'> {
  try {
    await unlink(file);
    return 'deleted';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'failed';
  }
}
