/** The catalog's side of the persistent index (index-store.ts): reuse unchanged entries, save soon after changes. */
import type { Logger } from 'pino';

import { cacheWriteHealth } from '../cache/write-health';
import type { Entry, EntryTable } from './entries';
import { simulationId } from './ids';
import { loadIndex, saveIndex, type IndexedFile, type LoadedIndex } from './index-store';
import type { ScannedFile } from './scan';

const INDEX_SAVE_DELAY_MS = 1000;

/** The indexed entry of a file, when the file has not changed since it was indexed. */
export function entryFromIndex(file: ScannedFile, indexed: IndexedFile | undefined): Entry | undefined {
  const unchanged =
    indexed &&
    indexed.rootPath === file.root.path &&
    indexed.size === file.stats.size &&
    indexed.mtimeMs === file.stats.mtimeMs &&
    indexed.sidecarMtimeMs === file.sidecarMtimeMs &&
    indexed.summary.status !== 'writing' &&
    indexed.summary.id === simulationId(file.root.name, file.relativePath);
  return unchanged
    ? { file, stats: file.stats, sidecarMtimeMs: file.sidecarMtimeMs, summary: indexed.summary }
    : undefined;
}

/** Without a folder every operation does nothing: every start then decodes every file. */
export class IndexPersistence {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dir: string | undefined,
    private readonly entries: EntryTable,
    private readonly logger: Logger
  ) {}

  /** The index of the last run, and how long reading it took (null without an index folder). */
  async load(): Promise<{ index: LoadedIndex; loadMs: number | null }> {
    if (!this.dir) {
      return { index: new Map(), loadMs: null };
    }
    const started = performance.now();
    const { index, problem } = await loadIndex(this.dir);
    const loadMs = performance.now() - started;
    if (problem) {
      this.logger.warn({ index: this.dir }, problem);
    }
    return { index, loadMs };
  }

  /** Saves once changes stop for a moment: a burst of file events writes the index once. */
  saveSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.saveNow(), INDEX_SAVE_DELAY_MS);
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
  }

  async saveNow(): Promise<void> {
    const dir = this.dir;
    if (!dir) {
      return;
    }
    const files: IndexedFile[] = [...this.entries.values()]
      .filter((entry) => entry.summary.status !== 'writing')
      .map((entry) => ({
        root: entry.file.root.name,
        rootPath: entry.file.root.path,
        relativePath: entry.file.relativePath,
        size: entry.stats.size,
        mtimeMs: entry.stats.mtimeMs,
        sidecarMtimeMs: entry.sidecarMtimeMs,
        // An outage is not the file's state: a restart after it must find the run as it was.
        summary: entry.beforeOutage ?? entry.summary,
      }));
    try {
      await saveIndex(dir, files);
      cacheWriteHealth.succeeded('index');
    } catch (error) {
      // The index only saves time at the next start; failing to write it must not fail anything.
      cacheWriteHealth.failed('index', error);
    }
  }
}
