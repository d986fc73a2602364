/** Watcher events to entries (`writing` at once, described once settled, removed when gone): what scans never do. */
import { stat } from 'node:fs/promises';

import type { FSWatcher } from 'chokidar';

import type { CatalogCore } from './core';
import { sameStats, type Entry } from './entries';
import { simulationId } from './ids';
import { sidecarMtime } from './metadata';
import { rootProblem, type RootRecovery } from './root-outages';
import { isHiddenPath, relativeToRoot, type DataRoot, type FoundFile, type ScannedFile } from './scan';
import { baseSummary, displayName } from './summary';
import { watchRoots, type WatchEvent, type WatchOptions } from './watcher';

export class Watching implements RootRecovery {
  private watcher?: FSWatcher;

  constructor(
    private readonly core: CatalogCore,
    private readonly settleMs: number,
    /** A removal that turned out to be its whole data root going away. */
    private readonly onRootGone: (root: DataRoot, problem: string) => void
  ) {}

  async start(roots: readonly DataRoot[], options: WatchOptions): Promise<void> {
    this.watcher = await watchRoots(roots, this.core.logger, (event) => this.onWatchEvent(event), options);
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }

  /** The watcher lost the folder when it went away: watch it afresh (existing files raise no events). */
  rewatch(root: DataRoot): void {
    if (this.watcher) {
      this.watcher.unwatch(root.path);
      this.watcher.add(root.path);
    }
  }

  /** Decodes a file into an entry; a file modified within the settle time is `writing` and re-checked later. */
  async ingest(file: ScannedFile): Promise<Entry> {
    const writing = Date.now() - file.stats.mtimeMs < this.settleMs;
    const entry: Entry = {
      file,
      stats: file.stats,
      sidecarMtimeMs: file.sidecarMtimeMs,
      summary: await this.core.describe(file, file.stats, writing),
    };
    if (writing) {
      this.scheduleSettle(entry);
    }
    return entry;
  }

  private onWatchEvent(event: WatchEvent): void {
    if (this.core.isClosed()) {
      return;
    }
    const relativePath = relativeToRoot(event.root, event.absolutePath);
    if (isHiddenPath(relativePath)) {
      return;
    }
    const file: FoundFile = { root: event.root, absolutePath: event.absolutePath, relativePath };
    const id = simulationId(event.root.name, relativePath);
    this.core.fileEvents.emit(id, event.kind);
    this.core.work.run(id, () => (event.kind === 'removed' ? this.remove(id) : this.markWriting(id, file)));
  }

  private async remove(id: string): Promise<void> {
    const { entries, openFiles, logger } = this.core;
    const entry = entries.get(id);
    // The watcher can report a removal of a file that was replaced since (rename over it).
    if (!entry || (await stat(entry.file.absolutePath).catch(() => undefined))) {
      return;
    }
    // A whole share unmounted looks like every file removed: keep its runs, as errors, until it is back.
    const problem = await rootProblem(entry.file.root);
    if (problem) {
      this.onRootGone(entry.file.root, problem);
      return;
    }
    clearTimeout(entry.settleTimer);
    entries.delete(id);
    openFiles.forget(id);
    logger.info({ file: displayName(entry.file) }, 'result file removed');
    this.core.changed();
  }

  /** A changed or new file is listed at once as `writing`, and described fully once it settles. */
  private async markWriting(id: string, file: FoundFile): Promise<void> {
    const { entries, openFiles, logger } = this.core;
    const stats = await stat(file.absolutePath).catch(() => undefined);
    if (!stats?.isFile()) {
      return;
    }
    const fileStats = { size: stats.size, mtimeMs: stats.mtimeMs };
    let entry = entries.get(id);
    const sidecarMtimeMs = await sidecarMtime(file.absolutePath);
    if (entry && !entry.settleTimer && sameStats(entry.stats, fileStats) && entry.sidecarMtimeMs === sidecarMtimeMs) {
      // Already described as it is now (an upload listed on arrival, or an event for the scan's state).
      return;
    }
    if (!entry) {
      const summary = baseSummary(file, fileStats, { sidecar: {}, modifiedMs: null, warnings: [] }, 'writing');
      entry = { file, stats: fileStats, sidecarMtimeMs, summary };
      entries.set(id, entry);
      logger.info({ file: displayName(file) }, 'new result file');
    } else {
      entry.stats = fileStats;
      const { error: _previousError, ...summary } = entry.summary;
      entry.summary = {
        ...summary,
        status: 'writing',
        sizeBytes: stats.size,
        modifiedAt: new Date(stats.mtimeMs).toISOString(),
      };
    }
    openFiles.recheck(id);
    this.scheduleSettle(entry);
    entries.publishCounts();
  }

  private scheduleSettle(entry: Entry): void {
    clearTimeout(entry.settleTimer);
    const id = entry.summary.id;
    entry.settleTimer = setTimeout(() => this.core.work.run(id, () => this.settle(id)), this.settleMs);
    entry.settleTimer.unref();
  }

  private async settle(id: string): Promise<void> {
    const entry = this.core.entries.get(id);
    if (!entry || this.core.isClosed()) {
      return;
    }
    const stats = await stat(entry.file.absolutePath).catch(() => undefined);
    if (!stats) {
      return this.remove(id);
    }
    if (Date.now() - stats.mtimeMs < this.settleMs) {
      // Changed again without an event reaching us (e.g. polling): keep waiting.
      return this.scheduleSettle(entry);
    }
    entry.stats = { size: stats.size, mtimeMs: stats.mtimeMs };
    entry.summary = await this.core.describe(entry.file, entry.stats, false);
    entry.sidecarMtimeMs = await sidecarMtime(entry.file.absolutePath);
    entry.settleTimer = undefined;
    this.core.openFiles.forget(id);
    this.core.logger.info({ file: displayName(entry.file), status: entry.summary.status }, 'result file settled');
    this.core.changed();
    this.core.fileEvents.emit(id, 'settled');
  }
}
