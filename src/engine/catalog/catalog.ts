import { stat } from 'node:fs/promises';

import type { Logger } from 'pino';

import type { Simulation, SimulationStatus } from '../../shared/api';
import { openResultFile, type DecodeOptions, type ResultFile } from '../decoder';
import { forEachConcurrently } from '../util/pool';
import type { CatalogCore } from './core';
import { describeFile } from './describe';
import { EntryTable, type Entry } from './entries';
import { simulationId } from './ids';
import { indexKey } from './index-store';
import { listSimulations, type SimulationFilter } from './listing';
import { sidecarMtime } from './metadata';
import { SidecarWriteError, updateSidecarField } from './sidecar-write';
import { OpenFiles } from './open-files';
import { IndexPersistence, entryFromIndex } from './persistence';
import { RootOutages } from './root-outages';
import { findResultFiles, relativeToRoot, type DataRoot, type FoundFile } from './scan';
import { displayName, withDecoded, withError } from './summary';
import type { CatalogObserver, CatalogOptions, Failure, ScanStats } from './types';
import { Watching } from './watching';
import { FileEvents, type FileEventListener } from './file-events';
import { WorkQueue } from './work-queue';

export type { SimulationFilter } from './listing';
export type { CatalogObserver, CatalogOptions, Failure, ScanStats } from './types';

const DEFAULT_SETTLE_MS = 3000;
const DEFAULT_ROOT_CHECK_MS = 10_000;

/** The simulations found under the data roots, by id; kept current by a watcher when enabled. */
export class Catalog {
  private readonly entries: EntryTable;
  private readonly openFiles: OpenFiles;
  private readonly index: IndexPersistence;
  private readonly work: WorkQueue;
  private readonly core: CatalogCore;
  private readonly watching: Watching;
  private readonly fileEvents = new FileEvents();
  private readonly outages: RootOutages;
  private readonly scanConcurrency: number;
  private readonly decodeOptions: DecodeOptions;
  private readonly observer: CatalogObserver;
  private isReady = false;
  private markReady: () => void = () => undefined;
  private readonly readyPromise = new Promise<void>((resolve) => (this.markReady = resolve));
  private closed = false;
  private lastScan: ScanStats | null = null;
  private scanCount = 0;

  constructor(
    readonly roots: readonly DataRoot[],
    private readonly logger: Logger,
    private readonly options: CatalogOptions = {}
  ) {
    this.scanConcurrency = options.scanConcurrency ?? 4;
    this.decodeOptions = options.decode ?? {};
    this.observer = options.observer ?? {};
    const describeContext = { decodeOptions: this.decodeOptions, observer: this.observer, logger };
    this.entries = new EntryTable(this.observer);
    this.openFiles = new OpenFiles(options.openFiles ?? 256);
    this.index = new IndexPersistence(options.indexDir, this.entries, logger);
    this.work = new WorkQueue(logger);
    this.core = {
      entries: this.entries,
      openFiles: this.openFiles,
      work: this.work,
      fileEvents: this.fileEvents,
      logger,
      isClosed: () => this.closed,
      describe: (file, stats, writing) => describeFile(describeContext, file, stats, writing),
      changed: () => {
        this.entries.publishCounts();
        this.index.saveSoon();
      },
    };
    this.watching = new Watching(this.core, options.settleMs ?? DEFAULT_SETTLE_MS, (root, problem) =>
      this.outages.reportGone(root, problem)
    );
    this.outages = new RootOutages(roots, this.core, this.watching);
  }

  get size(): number {
    return this.entries.size;
  }

  /** True once the first scan has finished. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Resolves once the first scan has finished, or after `timeoutMs` (whichever comes first). */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.isReady) {
      return Promise.resolve();
    }
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    return Promise.race([this.readyPromise, patience]).finally(() => clearTimeout(timer));
  }

  /** The last full scan, and how many have finished; none until the first one has. */
  get scanStats(): { count: number; last: ScanStats | null } {
    return { count: this.scanCount, last: this.lastScan };
  }

  get statusCounts(): Record<SimulationStatus, number> {
    return this.entries.countByStatus();
  }

  /** The `limit` files that most recently started failing, latest first (then by path). */
  failures(limit: number): Failure[] {
    return this.entries.failures(limit);
  }

  /** Starts watching (when enabled), then scans; resolves when the catalog is ready. */
  async start(): Promise<void> {
    if (this.options.watch) {
      await this.watching.start(this.roots, this.options.watch);
    }
    await this.scan();
    this.isReady = true;
    this.markReady();
    this.observer.readyChanged?.(true);
    this.outages.startChecking(this.options.rootCheckMs ?? DEFAULT_ROOT_CHECK_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.outages.stopChecking();
    await this.watching.close();
    for (const entry of this.entries.values()) {
      clearTimeout(entry.settleTimer);
    }
    this.index.cancel();
    await this.work.settled();
    await this.index.saveNow();
  }

  /**
   * Finds every result file under the roots. Files whose size and mtime match the persistent index
   * are taken from it; the others are decoded. Failing files are listed as errors.
   */
  async scan(): Promise<void> {
    const started = performance.now();
    const { index, loadMs: indexLoadMs } = await this.index.load();
    const found = (await Promise.all(this.roots.map((root) => findResultFiles(root, this.logger)))).flat();
    const entries = new Map<string, Entry>();
    let reused = 0;
    await forEachConcurrently(found, this.scanConcurrency, async (file) => {
      const indexed = entryFromIndex(file, index.get(indexKey(file.root.name, file.relativePath)));
      reused += indexed ? 1 : 0;
      const entry = indexed ?? (await this.watching.ingest(file));
      entries.set(entry.summary.id, entry);
    });
    this.entries.replace(entries);
    await this.index.saveNow();
    const failed = this.entries.countByStatus().error;
    const durationMs = performance.now() - started;
    this.lastScan = {
      finishedAtMs: Date.now(),
      durationMs,
      files: entries.size,
      fromIndex: reused,
      decoded: found.length - reused,
      failed,
      indexLoadMs,
    };
    this.scanCount++;
    this.logger.info(
      { files: entries.size, failed, fromIndex: reused, ms: Math.round(durationMs) },
      'catalog scan finished'
    );
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
    const cached = await this.openFiles.current(id);
    if (cached) {
      this.observer.openFileLookup?.(true);
      return cached;
    }
    this.observer.openFileLookup?.(false);
    try {
      const file = await openResultFile(entry.file.absolutePath, displayName(entry.file), this.decodeOptions);
      this.openFiles.remember(id, file);
      if (entry.summary.status !== 'error') {
        entry.summary = withDecoded(entry.summary, file);
      } else {
        // It failed before and opens now without changing (its permissions were fixed, say):
        // describe it again, so the list stops showing the old error.
        entry.summary = await this.core.describe(entry.file, entry.stats, false);
        this.entries.publishCounts();
      }
      return file;
    } catch (error) {
      this.openFiles.forget(id);
      if (entry.summary.status !== 'writing') {
        entry.summary = withError(entry.summary, entry.file, error);
        this.entries.publishCounts();
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
    return this.openFiles.changeAfterRead(id, file);
  }

  /**
   * Calls `listener` whenever the watcher reports the file changed or removed (at once, before the
   * settle debounce) and when it settles, until the returned function is called. Without a watcher
   * nothing is reported: followers then poll.
   */
  onFileEvent(id: string, listener: FileEventListener): () => void {
    return this.fileEvents.on(id, listener);
  }

  /** Where a listed file is on disk and the name its errors use; undefined for an unknown id. */
  locate(id: string): { absolutePath: string; displayName: string } | undefined {
    const entry = this.entries.get(id);
    return entry ? { absolutePath: entry.file.absolutePath, displayName: displayName(entry.file) } : undefined;
  }

  /** Whether the catalog watches its roots (then onFileEvent reports changes). */
  get watches(): boolean {
    return Boolean(this.options.watch);
  }

  /** Whether the file is known to be still being written (then growth between reads is expected). */
  isWriting(id: string): boolean {
    return this.entries.get(id)?.summary.status === 'writing';
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
      summary: await this.core.describe(file, fileStats, false),
    };
    clearTimeout(this.entries.get(id)?.settleTimer);
    this.entries.set(id, entry);
    this.openFiles.forget(id);
    this.core.changed();
    return entry.summary;
  }

  /**
   * Names `referenceId` (a run in the same data root) as the reference of `id` in its sidecar, or
   * removes the reference with null. Throws a SidecarWriteError naming the file when the sidecar
   * cannot be written; returns the updated catalogue entry.
   */
  async setReference(id: string, referenceId: string | null): Promise<Simulation> {
    const entry = this.entries.get(id);
    if (!entry) {
      throw new SidecarWriteError('io', `no simulation with id "${id}"`);
    }
    const reference = referenceId === null ? undefined : this.entries.get(referenceId);
    if (referenceId !== null && !reference) {
      throw new SidecarWriteError('invalid_sidecar', `no simulation with id "${referenceId}" to use as reference`);
    }
    if (reference && reference.file.root.name !== entry.file.root.name) {
      throw new SidecarWriteError(
        'invalid_sidecar',
        `${displayName(reference.file)} is in data root "${reference.file.root.name}", not "${entry.file.root.name}": a sidecar names references in its own root`
      );
    }
    entry.sidecarMtimeMs = await updateSidecarField(
      entry.file.absolutePath,
      displayName(entry.file),
      'reference',
      reference?.file.relativePath
    );
    const warnings = (entry.summary.warnings ?? []).filter((warning) => !warning.startsWith('sidecar '));
    entry.summary = { ...entry.summary, referenceId: reference ? referenceId : null, warnings };
    this.core.changed();
    return entry.summary;
  }
}
