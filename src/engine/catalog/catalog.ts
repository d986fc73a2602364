import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';

import type { FSWatcher } from 'chokidar';
import type { Logger } from 'pino';

import type { Simulation, SimulationStatus } from '../../shared/api';
import { DecodeError, openResultFile, type DecodeOptions, type ResultFile } from '../decoder';
import { LruMap } from '../util/lru';
import { forEachConcurrently } from '../util/pool';
import { FailureLog } from './failures';
import { simulationId } from './ids';
import { cacheWriteHealth } from '../cache/write-health';
import { indexKey, loadIndex, saveIndex, type IndexedFile, type LoadedIndex } from './index-store';
import { listSimulations, type SimulationFilter } from './listing';
import { readSidecar, sidecarMtime } from './metadata';
import { findResultFiles, isHiddenPath, relativeToRoot, type DataRoot, type FileStats, type FoundFile, type ScannedFile } from './scan';
import { baseSummary, displayName, qualityProblem, tooSmallProblem, withDecoded, withError } from './summary';
import { watchRoots, type WatchEvent, type WatchOptions } from './watcher';

export type { SimulationFilter } from './listing';

/** What the catalog reports for metrics; every hook is optional. */
export interface CatalogObserver {
  decoded?(format: string, ok: boolean, seconds: number): void;
  statusCounts?(counts: Record<SimulationStatus, number>): void;
  readyChanged?(ready: boolean): void;
  openFileLookup?(hit: boolean): void;
}

export interface CatalogOptions {
  /** Decoded catalogues kept in memory; others are decoded again on demand. */
  openFiles?: number;
  /** Files decoded in parallel while scanning. */
  scanConcurrency?: number;
  /** Passed to the decoders (cache directory for per-variable layouts). */
  decode?: DecodeOptions;
  /** Where the persistent index is kept; without it every start decodes every file. */
  indexDir?: string;
  /** Watch the roots for changes (off unless given). */
  watch?: WatchOptions | false;
  /** A file is `writing` until it has not changed for this long. */
  settleMs?: number;
  /** How often the data roots themselves are checked (a share unmounted and mounted again). */
  rootCheckMs?: number;
  observer?: CatalogObserver;
}

/** What the last full scan of the data roots did, for the operations dashboard. */
export interface ScanStats {
  finishedAtMs: number;
  durationMs: number;
  /** Result files found under the roots. */
  files: number;
  /** Taken unchanged from the persistent index. */
  fromIndex: number;
  /** Decoded because they were new or changed. */
  decoded: number;
  failed: number;
  /** Time spent reading the persistent index (part of durationMs); null without an index folder. */
  indexLoadMs: number | null;
}

/** A file that cannot be used, with when this process first found it failing. */
export interface Failure {
  simulation: Simulation;
  seenAtMs: number;
}

interface Entry {
  file: FoundFile;
  stats: FileStats;
  sidecarMtimeMs: number | null;
  summary: Simulation;
  settleTimer?: NodeJS.Timeout;
  /** While its data root is unavailable: the summary from before, restored when the root is back. */
  beforeOutage?: Simulation;
}

const DEFAULT_SETTLE_MS = 3000;
const DEFAULT_ROOT_CHECK_MS = 10_000;
const INDEX_SAVE_DELAY_MS = 1000;
const STAT_INTERVAL_MS = 1000;

/** The simulations found under the data roots, by id; kept current by a watcher when enabled. */
export class Catalog {
  private entries = new Map<string, Entry>();
  private readonly open: LruMap<string, ResultFile>;
  private readonly scanConcurrency: number;
  private readonly decodeOptions: DecodeOptions;
  private readonly settleMs: number;
  private readonly observer: CatalogObserver;
  private watcher?: FSWatcher;
  private indexTimer?: NodeJS.Timeout;
  private rootTimer?: NodeJS.Timeout;
  /** Data roots that cannot be read right now, by name, with the problem. */
  private readonly downRoots = new Map<string, string>();
  private isReady = false;
  private closed = false;
  /** Serializes work per file, so that a settle never races a removal or another settle. */
  private readonly work = new Map<string, Promise<void>>();
  /** When each open file was last found unchanged on disk. */
  private readonly lastChecked = new Map<string, number>();
  private readonly failureLog = new FailureLog();
  private lastScan: ScanStats | null = null;
  private scanCount = 0;

  constructor(
    readonly roots: readonly DataRoot[],
    private readonly logger: Logger,
    private readonly options: CatalogOptions = {}
  ) {
    this.open = new LruMap<string, ResultFile>(options.openFiles ?? 256);
    this.scanConcurrency = options.scanConcurrency ?? 4;
    this.decodeOptions = options.decode ?? {};
    this.settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.observer = options.observer ?? {};
  }

  get size(): number {
    return this.entries.size;
  }

  /** True once the first scan has finished. */
  get ready(): boolean {
    return this.isReady;
  }

  /** The last full scan, and how many have finished; none until the first one has. */
  get scanStats(): { count: number; last: ScanStats | null } {
    return { count: this.scanCount, last: this.lastScan };
  }

  get statusCounts(): Record<SimulationStatus, number> {
    return this.countByStatus();
  }

  /** The `limit` files that most recently started failing, latest first (then by path). */
  failures(limit: number): Failure[] {
    const failing = [...this.entries.values()]
      .filter((entry) => entry.summary.status === 'error')
      .map((entry) => ({ simulation: entry.summary, seenAtMs: this.failureLog.seenAt(entry.summary.id) ?? 0 }));
    failing.sort((a, b) => b.seenAtMs - a.seenAtMs || a.simulation.path.localeCompare(b.simulation.path));
    return failing.slice(0, limit);
  }

  /** Starts watching (when enabled), then scans; resolves when the catalog is ready. */
  async start(): Promise<void> {
    if (this.options.watch) {
      this.watcher = await watchRoots(this.roots, this.logger, (event) => this.onWatchEvent(event), this.options.watch);
    }
    await this.scan();
    this.isReady = true;
    this.observer.readyChanged?.(true);
    this.rootTimer = setInterval(() => this.serialize(ROOTS_TASK, () => this.checkRoots()), this.options.rootCheckMs ?? DEFAULT_ROOT_CHECK_MS);
    this.rootTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.rootTimer);
    await this.watcher?.close();
    for (const entry of this.entries.values()) {
      clearTimeout(entry.settleTimer);
    }
    clearTimeout(this.indexTimer);
    await Promise.allSettled(this.work.values());
    await this.saveIndexNow();
  }

  /**
   * Finds every result file under the roots. Files whose size and mtime match the persistent index
   * are taken from it; the others are decoded. Failing files are listed as errors.
   */
  async scan(): Promise<void> {
    const started = performance.now();
    const { index, problem } = this.options.indexDir ? await loadIndex(this.options.indexDir) : { index: new Map() as LoadedIndex };
    const indexLoadMs = this.options.indexDir ? performance.now() - started : null;
    if (problem) {
      this.logger.warn({ index: this.options.indexDir }, problem);
    }
    const found = (await Promise.all(this.roots.map((root) => findResultFiles(root, this.logger)))).flat();
    const entries = new Map<string, Entry>();
    let reused = 0;
    await forEachConcurrently(found, this.scanConcurrency, async (file) => {
      const indexed = this.fromIndex(file, index.get(indexKey(file.root.name, file.relativePath)));
      reused += indexed ? 1 : 0;
      const entry = indexed ?? (await this.ingest(file));
      entries.set(entry.summary.id, entry);
    });
    this.replaceEntries(entries);
    await this.saveIndexNow();
    const failed = this.countByStatus().error;
    const durationMs = performance.now() - started;
    this.lastScan = { finishedAtMs: Date.now(), durationMs, files: entries.size, fromIndex: reused, decoded: found.length - reused, failed, indexLoadMs };
    this.scanCount++;
    this.logger.info({ files: entries.size, failed, fromIndex: reused, ms: Math.round(durationMs) }, 'catalog scan finished');
  }

  list(filter: SimulationFilter): { items: Simulation[]; total: number } {
    return listSimulations(
      [...this.entries.values()].map((entry) => entry.summary),
      filter
    );
  }

  get(id: string): Simulation | undefined {
    return this.entries.get(id)?.summary;
  }

  /**
   * The decoded file for `id`, decoded again when it changed on disk since it was last read.
   * Throws a DecodeError when the file cannot be used; returns undefined for an unknown id.
   * Files still being written are served as far as they go.
   */
  async openFile(id: string): Promise<ResultFile | undefined> {
    const entry = this.entries.get(id);
    if (!entry) {
      return undefined;
    }
    const cached = this.open.get(id);
    if (cached && (await this.isCurrent(id, cached))) {
      this.observer.openFileLookup?.(true);
      return cached;
    }
    this.observer.openFileLookup?.(false);
    try {
      const file = await openResultFile(entry.file.absolutePath, displayName(entry.file), this.decodeOptions);
      this.open.set(id, file);
      if (entry.summary.status !== 'error') {
        entry.summary = withDecoded(entry.summary, file);
      } else {
        // It failed before and opens now without changing (its permissions were fixed, say):
        // describe it again, so the list stops showing the old error.
        entry.summary = await this.describe(entry.file, entry.stats, false);
        this.publishCounts();
      }
      return file;
    } catch (error) {
      this.forget(id);
      if (entry.summary.status !== 'writing') {
        entry.summary = withError(entry.summary, entry.file, error);
        this.publishCounts();
      }
      throw error;
    }
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

  /** Whether the file is known to be still being written (then growth between reads is expected). */
  isWriting(id: string): boolean {
    return this.entries.get(id)?.summary.status === 'writing';
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

  /**
   * Describes a file that was just put in place (an upload) and lists it at once, without waiting
   * for the watcher. Returns its catalogue entry.
   */
  async add(root: DataRoot, absolutePath: string): Promise<Simulation> {
    const relativePath = relativeToRoot(root, absolutePath);
    const id = simulationId(root.name, relativePath);
    const stats = await stat(absolutePath);
    const file: FoundFile = { root, absolutePath, relativePath };
    const fileStats = { size: stats.size, mtimeMs: stats.mtimeMs };
    const entry: Entry = {
      file,
      stats: fileStats,
      sidecarMtimeMs: await sidecarMtime(absolutePath),
      summary: await this.describe(file, fileStats, false),
    };
    clearTimeout(this.entries.get(id)?.settleTimer);
    this.entries.set(id, entry);
    this.forget(id);
    this.changed();
    return entry.summary;
  }

  private fromIndex(file: ScannedFile, indexed: IndexedFile | undefined): Entry | undefined {
    const unchanged =
      indexed &&
      indexed.rootPath === file.root.path &&
      indexed.size === file.stats.size &&
      indexed.mtimeMs === file.stats.mtimeMs &&
      indexed.sidecarMtimeMs === file.sidecarMtimeMs &&
      indexed.summary.status !== 'writing' &&
      indexed.summary.id === simulationId(file.root.name, file.relativePath);
    return unchanged ? { file, stats: file.stats, sidecarMtimeMs: file.sidecarMtimeMs, summary: indexed.summary } : undefined;
  }

  /** Decodes a file into an entry; a file modified within the settle time is `writing` and re-checked later. */
  private async ingest(file: ScannedFile): Promise<Entry> {
    const writing = Date.now() - file.stats.mtimeMs < this.settleMs;
    const entry: Entry = { file, stats: file.stats, sidecarMtimeMs: file.sidecarMtimeMs, summary: await this.describe(file, file.stats, writing) };
    if (writing) {
      this.scheduleSettle(entry);
    }
    return entry;
  }

  private async describe(file: FoundFile, stats: FileStats, writing: boolean): Promise<Simulation> {
    const metadata = await readSidecar(file.absolutePath, displayName(file));
    const base = baseSummary(file, stats, metadata, writing ? 'writing' : 'ok');
    if (file.scanProblem) {
      return withError(base, file, file.scanProblem);
    }
    const tooSmall = tooSmallProblem(file, stats);
    if (tooSmall) {
      return writing ? base : withError(base, file, tooSmall);
    }
    const started = performance.now();
    try {
      const decoded = await openResultFile(file.absolutePath, displayName(file), this.decodeOptions);
      this.observer.decoded?.(decoded.format, true, (performance.now() - started) / 1000);
      const summary = withDecoded(base, decoded);
      const problem = writing ? undefined : qualityProblem(file, decoded);
      return problem ? withError(summary, file, problem) : summary;
    } catch (error) {
      this.observer.decoded?.('unknown', false, (performance.now() - started) / 1000);
      // A file being written may not decode yet; that is not an error until it settles.
      return writing ? base : this.failedSummary(base, file, error);
    }
  }

  private failedSummary(base: Simulation, file: FoundFile, error: unknown): Simulation {
    const summary = withError(base, file, error);
    if (error instanceof DecodeError) {
      this.logger.warn({ file: displayName(file), reason: summary.error }, 'result file cannot be used');
    } else {
      this.logger.error({ file: displayName(file), err: error }, 'unexpected failure while decoding a result file');
    }
    return summary;
  }

  private replaceEntries(entries: Map<string, Entry>): void {
    for (const [id, old] of this.entries) {
      if (entries.get(id) !== old) {
        clearTimeout(old.settleTimer);
      }
    }
    this.entries = entries;
    this.publishCounts();
  }

  private onWatchEvent(event: WatchEvent): void {
    if (this.closed) {
      return;
    }
    const relativePath = relativeToRoot(event.root, event.absolutePath);
    if (isHiddenPath(relativePath)) {
      return;
    }
    const file: FoundFile = { root: event.root, absolutePath: event.absolutePath, relativePath };
    const id = simulationId(event.root.name, relativePath);
    this.serialize(id, () => (event.kind === 'removed' ? this.remove(id) : this.markWriting(id, file)));
  }

  private serialize(id: string, task: () => Promise<void>): void {
    const previous = this.work.get(id) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch((error: unknown) => this.logger.error({ err: error, id }, 'catalog update failed'))
      .finally(() => {
        if (this.work.get(id) === next) {
          this.work.delete(id);
        }
      });
    this.work.set(id, next);
  }

  private async remove(id: string): Promise<void> {
    const entry = this.entries.get(id);
    // The watcher can report a removal of a file that was replaced since (rename over it).
    if (!entry || (await stat(entry.file.absolutePath).catch(() => undefined))) {
      return;
    }
    // A whole share unmounted looks like every file removed: keep its runs, as errors, until it is back.
    const problem = await rootProblem(entry.file.root);
    if (problem) {
      this.serialize(ROOTS_TASK, async () => this.rootWentAway(entry.file.root, problem));
      return;
    }
    clearTimeout(entry.settleTimer);
    this.entries.delete(id);
    this.forget(id);
    this.logger.info({ file: displayName(entry.file) }, 'result file removed');
    this.changed();
  }

  /** A changed or new file is listed at once as `writing`, and described fully once it settles. */
  private async markWriting(id: string, file: FoundFile): Promise<void> {
    const stats = await stat(file.absolutePath).catch(() => undefined);
    if (!stats?.isFile()) {
      return;
    }
    const fileStats = { size: stats.size, mtimeMs: stats.mtimeMs };
    let entry = this.entries.get(id);
    const sidecarMtimeMs = await sidecarMtime(file.absolutePath);
    if (entry && !entry.settleTimer && sameStats(entry.stats, fileStats) && entry.sidecarMtimeMs === sidecarMtimeMs) {
      // Already described as it is now (an upload listed on arrival, or an event for the scan's state).
      return;
    }
    if (!entry) {
      const summary = baseSummary(file, fileStats, { sidecar: {}, modifiedMs: null, warnings: [] }, 'writing');
      entry = { file, stats: fileStats, sidecarMtimeMs, summary };
      this.entries.set(id, entry);
      this.logger.info({ file: displayName(file) }, 'new result file');
    } else {
      entry.stats = fileStats;
      const { error: _previousError, ...summary } = entry.summary;
      entry.summary = { ...summary, status: 'writing', sizeBytes: stats.size, modifiedAt: new Date(stats.mtimeMs).toISOString() };
    }
    this.lastChecked.delete(id);
    this.scheduleSettle(entry);
    this.publishCounts();
  }

  /** Notices roots that went away or came back (serialized with itself as ROOTS_TASK). */
  private async checkRoots(): Promise<void> {
    for (const root of this.roots) {
      const problem = await rootProblem(root);
      if (problem) {
        this.rootWentAway(root, problem);
      } else if (this.downRoots.has(root.name)) {
        await this.rootCameBack(root);
      }
    }
  }

  private rootWentAway(root: DataRoot, problem: string): void {
    if (this.closed || this.downRoots.has(root.name)) {
      return;
    }
    this.downRoots.set(root.name, problem);
    this.logger.warn({ root: root.name, path: root.path, problem }, 'data root is not available; its runs are listed as errors until it is back');
    for (const [id, entry] of this.entries) {
      if (entry.file.root.name === root.name && !entry.beforeOutage) {
        clearTimeout(entry.settleTimer);
        entry.beforeOutage = entry.summary;
        entry.summary = withError(entry.summary, entry.file, `${displayName(entry.file)}: its data root "${root.name}" (${root.path}) is not available: ${problem}`);
        this.forget(id);
      }
    }
    this.changed();
  }

  /** Runs unchanged since the outage get their summaries back; changed and new ones are described again. */
  private async rootCameBack(root: DataRoot): Promise<void> {
    this.downRoots.delete(root.name);
    const found = await findResultFiles(root, this.logger);
    const present = new Set<string>();
    for (const file of found) {
      const id = simulationId(root.name, file.relativePath);
      present.add(id);
      const entry = this.entries.get(id);
      if (entry?.beforeOutage && sameStats(entry.stats, file.stats) && entry.sidecarMtimeMs === file.sidecarMtimeMs) {
        entry.summary = entry.beforeOutage;
        entry.beforeOutage = undefined;
      } else {
        this.entries.set(id, await this.ingest(file));
      }
    }
    for (const [id, entry] of this.entries) {
      if (entry.file.root.name === root.name && !present.has(id)) {
        this.entries.delete(id);
        this.forget(id);
      }
    }
    // The watcher lost the folder when it went away: watch it afresh (existing files raise no events).
    if (this.watcher) {
      this.watcher.unwatch(root.path);
      this.watcher.add(root.path);
    }
    this.logger.info({ root: root.name, path: root.path, files: found.length }, 'data root is available again');
    this.changed();
  }

  private forget(id: string): void {
    this.open.delete(id);
    this.lastChecked.delete(id);
  }

  private scheduleSettle(entry: Entry): void {
    clearTimeout(entry.settleTimer);
    const id = entry.summary.id;
    entry.settleTimer = setTimeout(() => this.serialize(id, () => this.settle(id)), this.settleMs);
    entry.settleTimer.unref();
  }

  private async settle(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry || this.closed) {
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
    entry.summary = await this.describe(entry.file, entry.stats, false);
    entry.sidecarMtimeMs = await sidecarMtime(entry.file.absolutePath);
    entry.settleTimer = undefined;
    this.forget(id);
    this.logger.info({ file: displayName(entry.file), status: entry.summary.status }, 'result file settled');
    this.changed();
  }

  private changed(): void {
    this.publishCounts();
    clearTimeout(this.indexTimer);
    this.indexTimer = setTimeout(() => void this.saveIndexNow(), INDEX_SAVE_DELAY_MS);
    this.indexTimer.unref();
  }

  private countByStatus(): Record<SimulationStatus, number> {
    const counts: Record<SimulationStatus, number> = { ok: 0, error: 0, writing: 0 };
    for (const entry of this.entries.values()) {
      counts[entry.summary.status]++;
    }
    return counts;
  }

  /** Called after every change of any entry, so the failure log and the status metrics stay current. */
  private publishCounts(): void {
    this.failureLog.update([...this.entries.values()].filter((entry) => entry.summary.status === 'error').map((entry) => entry.summary.id));
    this.observer.statusCounts?.(this.countByStatus());
  }

  private async saveIndexNow(): Promise<void> {
    const dir = this.options.indexDir;
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

/** The key under which root checks are serialized with each other (never a simulation id). */
const ROOTS_TASK = '\0roots';

/** Why a data root cannot be read right now, or undefined when it can. */
async function rootProblem(root: DataRoot): Promise<string | undefined> {
  try {
    const stats = await stat(root.path);
    return stats.isDirectory() ? undefined : 'it is not a folder';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'the folder does not exist' : `it cannot be read (${code ?? String(error)})`;
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

function sameStats(a: FileStats, b: FileStats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

async function isUnchanged(file: ResultFile): Promise<boolean> {
  const stats = await stat(file.path).catch(() => undefined);
  return stats !== undefined && sameStats(stats, openedStats(file));
}

/** The size and modification time a file had when it was opened. */
function openedStats(file: ResultFile): FileStats {
  return { size: file.sizeBytes, mtimeMs: file.modifiedMs };
}
