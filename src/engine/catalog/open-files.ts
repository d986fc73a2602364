/** Decoded files kept in memory and the checks that they still match the disk: the hot path of every query. */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';

import type { ResultFile } from '../decoder';
import { LruMap } from '../util/lru';
import { sameStats } from './entries';
import type { FileStats } from './scan';

const STAT_INTERVAL_MS = 1000;

export class OpenFiles {
  private readonly open: LruMap<string, ResultFile>;
  /** When each open file was last found unchanged on disk. */
  private readonly lastChecked = new Map<string, number>();

  constructor(capacity: number) {
    this.open = new LruMap<string, ResultFile>(capacity);
  }

  /** The decoded file kept for `id`, unless it changed on disk since it was decoded. */
  async current(id: string): Promise<ResultFile | undefined> {
    const cached = this.open.get(id);
    return cached && (await this.isCurrent(id, cached)) ? cached : undefined;
  }

  remember(id: string, file: ResultFile): void {
    this.open.set(id, file);
  }

  forget(id: string): void {
    this.open.delete(id);
    this.lastChecked.delete(id);
  }

  /** Keeps the decoded file but compares it with the disk again on its next use. */
  recheck(id: string): void {
    this.lastChecked.delete(id);
  }

  /**
   * How the file on disk compares, after a read, with the version `file` was opened from. A read
   * that overlapped a rewrite can mix two versions; one that overlapped an append (a simulation
   * still running) only missed the new rows. A changed file is reopened on the next read.
   */
  changeAfterRead(id: string, file: ResultFile): 'none' | 'appended' | 'rewritten' {
    // Synchronous on purpose: a stat takes microseconds, a trip through libuv's thread pool took
    // 0.2-0.5 ms here, and this runs once per simulation of every query.
    const stats = statOrUndefined(file.path);
    if (stats && sameStats(stats, openedStats(file))) {
      return 'none';
    }
    this.forget(id);
    return stats && stats.size > file.sizeBytes ? 'appended' : 'rewritten';
  }

  /**
   * Whether a decoded file still matches the disk. Checked at most once per second per file: under
   * load a stat per request showed in profiles, and a change is picked up a second later at worst.
   */
  private async isCurrent(id: string, file: ResultFile): Promise<boolean> {
    const now = Date.now();
    const checked = this.lastChecked.get(id);
    if (checked !== undefined && now - checked < STAT_INTERVAL_MS) {
      return true;
    }
    const current = await isUnchanged(file);
    if (current) {
      this.lastChecked.set(id, now);
    }
    return current;
  }
}

function statOrUndefined(file: string): FileStats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    // Gone from reach (permissions, an unmounted share): a change as well.
    return undefined;
  }
}

async function isUnchanged(file: ResultFile): Promise<boolean> {
  const stats = await stat(file.path).catch(() => undefined);
  return stats !== undefined && sameStats(stats, openedStats(file));
}

/** The size and modification time a file had when it was opened. */
function openedStats(file: ResultFile): FileStats {
  return { size: file.sizeBytes, mtimeMs: file.modifiedMs };
}
