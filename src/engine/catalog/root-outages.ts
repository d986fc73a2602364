/** Data roots that go away and come back (a share unmounted): their runs are kept as errors meanwhile, then restored. */
import { stat } from 'node:fs/promises';

import type { CatalogCore } from './core';
import { sameStats, type Entry } from './entries';
import { simulationId } from './ids';
import { findResultFiles, type DataRoot, type ScannedFile } from './scan';
import { displayName, withError } from './summary';

/** The key under which root checks are serialized with each other (never a simulation id). */
const ROOTS_TASK = '\0roots';

/** What a root coming back needs from the watching side; an interface so that this module does not import it. */
export interface RootRecovery {
  ingest(file: ScannedFile): Promise<Entry>;
  rewatch(root: DataRoot): void;
}

export class RootOutages {
  /** Data roots that cannot be read right now, by name, with the problem. */
  private readonly downRoots = new Map<string, string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly roots: readonly DataRoot[],
    private readonly core: CatalogCore,
    private readonly recovery: RootRecovery
  ) {}

  startChecking(intervalMs: number): void {
    this.timer = setInterval(() => this.core.work.run(ROOTS_TASK, () => this.checkRoots()), intervalMs);
    this.timer.unref();
  }

  stopChecking(): void {
    clearInterval(this.timer);
  }

  /** A root found gone while handling one of its files: handled in turn with the periodic checks. */
  reportGone(root: DataRoot, problem: string): void {
    this.core.work.run(ROOTS_TASK, async () => this.rootWentAway(root, problem));
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
    const { entries, openFiles, logger } = this.core;
    if (this.core.isClosed() || this.downRoots.has(root.name)) {
      return;
    }
    this.downRoots.set(root.name, problem);
    logger.warn(
      { root: root.name, path: root.path, problem },
      'data root is not available; its runs are listed as errors until it is back'
    );
    for (const [id, entry] of entries.entries()) {
      if (entry.file.root.name === root.name && !entry.beforeOutage) {
        clearTimeout(entry.settleTimer);
        entry.beforeOutage = entry.summary;
        entry.summary = withError(
          entry.summary,
          entry.file,
          `${displayName(entry.file)}: its data root "${root.name}" (${root.path}) is not available: ${problem}`
        );
        openFiles.forget(id);
      }
    }
    this.core.changed();
  }

  /** Runs unchanged since the outage get their summaries back; changed and new ones are described again. */
  private async rootCameBack(root: DataRoot): Promise<void> {
    const { entries, openFiles, logger } = this.core;
    this.downRoots.delete(root.name);
    const found = await findResultFiles(root, logger);
    const present = new Set<string>();
    for (const file of found) {
      const id = simulationId(root.name, file.relativePath);
      present.add(id);
      const entry = entries.get(id);
      if (entry?.beforeOutage && sameStats(entry.stats, file.stats) && entry.sidecarMtimeMs === file.sidecarMtimeMs) {
        entry.summary = entry.beforeOutage;
        entry.beforeOutage = undefined;
      } else {
        entries.set(id, await this.recovery.ingest(file));
      }
    }
    for (const [id, entry] of entries.entries()) {
      if (entry.file.root.name === root.name && !present.has(id)) {
        entries.delete(id);
        openFiles.forget(id);
      }
    }
    this.recovery.rewatch(root);
    logger.info({ root: root.name, path: root.path, files: found.length }, 'data root is available again');
    this.core.changed();
  }
}

/** Why a data root cannot be read right now, or undefined when it can. */
export async function rootProblem(root: DataRoot): Promise<string | undefined> {
  try {
    const stats = await stat(root.path);
    return stats.isDirectory() ? undefined : 'it is not a folder';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'the folder does not exist' : `it cannot be read (${code ?? String(error)})`;
  }
}
