/** Per-variable layouts of large binTrans files: the process-wide build queue, and each file's layout built in it. */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { cacheWriteHealth } from '../../cache/write-health';
import { DecodeError } from '../errors';
import { withFile } from '../file-source';
import type { DecodeOptions } from '../types';
import {
  ColumnStoreEnded,
  buildColumnStore,
  columnStoreBytes,
  columnStoreLayout,
  type ColumnStoreLayout,
} from './columnStore';
import type { DataMatrix } from './matrix';
import { elementSize } from './records';
import { forgetSummaries, keepSummariesInMemory } from './summaryMemory';

/**
 * Per-variable layouts are worth building above this data size: a query then reads only its
 * variables' bytes. Below it a whole read takes a few milliseconds. (At 64 MiB, 50 clients
 * querying 100 runs of 1-50 MB each gave a p99 of 1.1 s, every query re-reading its whole file.)
 */
export const DEFAULT_COLUMN_STORE_MIN_BYTES = 4 * 1024 * 1024;

/** The version of a result file that was decoded: layouts are built from it and reads checked against it. */
export interface OpenedFile {
  readonly path: string;
  readonly displayName: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  readonly data2: DataMatrix;
  readonly options: DecodeOptions;
}

export function dataBytes(matrix: DataMatrix): number {
  return matrix.signals * matrix.samples * elementSize(matrix.elementType);
}

/** One file's layout: built at most once in the background, forgotten when the cache limit deletes it. */
export class FileLayout {
  private built: ColumnStoreLayout | undefined;
  private building: Promise<void> | undefined;

  constructor(private readonly file: OpenedFile) {}

  get store(): ColumnStoreLayout | undefined {
    return this.built;
  }

  /** Resolves once the layout is built (true), or when none will be (false). */
  async ready(): Promise<boolean> {
    await this.building;
    return this.built !== undefined;
  }

  /**
   * Forgets a layout that failed to read because it is gone (the cache limit deletes layouts,
   * even in use); the next read goes to the file and builds it again. Other errors propagate.
   */
  drop(error: unknown): undefined {
    if (!isLostLayout(error)) {
      throw error;
    }
    if (this.built) {
      forgetSummaries(this.built);
    }
    this.built = undefined;
    this.building = undefined;
    return undefined;
  }

  /** Starts building the layout once the file is read, for large binTrans files only. */
  start(): void {
    const { path: file, displayName, sizeBytes, modifiedMs, data2, options } = this.file;
    const { cacheDir, columnStoreMinBytes = DEFAULT_COLUMN_STORE_MIN_BYTES } = options;
    if (this.building || !cacheDir || !data2.samplesContiguous || dataBytes(data2) < columnStoreMinBytes) {
      return;
    }
    const key = createHash('sha256').update(`${file}\0${sizeBytes}\0${modifiedMs}`).digest('hex').slice(0, 32);
    const target = path.join(cacheDir, 'columns', `${key}.cols`);
    const layout = columnStoreLayout(data2, target);
    this.building = enqueueLayoutBuild(async () => {
      const existing = await stat(target).catch(() => undefined);
      if (existing?.size === columnStoreBytes(layout)) {
        this.built = layout;
      } else {
        this.built = await withFile(file, displayName, (source) => buildColumnStore(source, data2, target));
        cacheWriteHealth.succeeded('layouts');
      }
    })
      // Outside the queue: loading summaries only reads, and the next file's build need not wait for it.
      .then(() => this.built && keepSummariesInMemory(this.built, options.summaryMemoryMinSamples))
      .catch((error: unknown) => {
        // Without a layout (cache full or read-only, file replaced meanwhile), reads stay on the strided path.
        this.built = undefined;
        if (!(error instanceof DecodeError)) {
          cacheWriteHealth.failed('layouts', error);
        }
      });
  }
}

let layoutQueue: Promise<unknown> = Promise.resolve();

/** One layout build at a time across all files: each streams a whole data matrix. */
function enqueueLayoutBuild(build: () => Promise<void>): Promise<void> {
  const next = layoutQueue.then(build, build);
  layoutQueue = next.catch(() => undefined);
  return next;
}

/**
 * Resolves once the queued layout builds are done, so that a closing proxy leaves no build writing
 * into its cache folder (each writes a `.partial` file and renames it when complete).
 */
export async function layoutBuildsIdle(): Promise<void> {
  let seen: Promise<unknown>;
  do {
    seen = layoutQueue;
    await seen;
  } while (seen !== layoutQueue);
}

/** A layout deleted (cache limit, an operator) or truncated under us. */
function isLostLayout(error: unknown): boolean {
  return (
    error instanceof ColumnStoreEnded ||
    (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
  );
}
