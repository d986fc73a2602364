import { stat } from 'node:fs/promises';
import path from 'node:path';

import type { Logger } from 'pino';

import type { Simulation } from '../../shared/api';
import { DecodeError, openResultFile, type DecodeOptions, type ResultFile } from '../decoder';
import { LruMap } from '../util/lru';
import { forEachConcurrently } from '../util/pool';
import { simulationId } from './ids';
import { findResultFiles, type DataRoot, type FoundFile } from './scan';

export interface CatalogOptions {
  /** Decoded catalogues kept in memory; others are decoded again on demand. */
  openFiles?: number;
  /** Files decoded in parallel while scanning. */
  scanConcurrency?: number;
  /** Passed to the decoders (cache directory for per-variable layouts). */
  decode?: DecodeOptions;
}

interface Entry {
  file: FoundFile;
  summary: Simulation;
}

export interface SimulationFilter {
  search?: string;
  limit: number;
  offset: number;
}

/** The simulations found under the data roots, by id. */
export class Catalog {
  private entries = new Map<string, Entry>();
  private readonly open: LruMap<string, ResultFile>;
  private readonly scanConcurrency: number;
  private readonly decodeOptions: DecodeOptions;

  constructor(
    readonly roots: readonly DataRoot[],
    private readonly logger: Logger,
    options: CatalogOptions = {}
  ) {
    this.open = new LruMap<string, ResultFile>(options.openFiles ?? 64);
    this.scanConcurrency = options.scanConcurrency ?? 4;
    this.decodeOptions = options.decode ?? {};
  }

  get size(): number {
    return this.entries.size;
  }

  /** Finds every result file under the roots and reads its catalogue. Failing files are listed as errors. */
  async scan(): Promise<void> {
    const started = performance.now();
    const found = (await Promise.all(this.roots.map((root) => findResultFiles(root, this.logger)))).flat();
    const entries = new Map<string, Entry>();
    await forEachConcurrently(found, this.scanConcurrency, async (file) => {
      const id = simulationId(file.root.name, file.relativePath);
      entries.set(id, { file, summary: await this.describe(id, file) });
    });
    this.entries = new Map([...entries].sort(([, a], [, b]) => compareEntries(a, b)));
    const failed = [...entries.values()].filter((e) => e.summary.status === 'error').length;
    this.logger.info(
      { files: entries.size, failed, ms: Math.round(performance.now() - started) },
      'catalog scan finished'
    );
  }

  list(filter: SimulationFilter): { items: Simulation[]; total: number } {
    const needle = filter.search?.trim().toLowerCase();
    const matches = [...this.entries.values()]
      .map((entry) => entry.summary)
      .filter((s) => !needle || s.name.toLowerCase().includes(needle) || s.path.toLowerCase().includes(needle));
    return { items: matches.slice(filter.offset, filter.offset + filter.limit), total: matches.length };
  }

  get(id: string): Simulation | undefined {
    return this.entries.get(id)?.summary;
  }

  /**
   * The decoded file for `id`, decoded again when it changed on disk since it was last read.
   * Throws a DecodeError when the file cannot be used; returns undefined for an unknown id.
   */
  async openFile(id: string): Promise<ResultFile | undefined> {
    const entry = this.entries.get(id);
    if (!entry) {
      return undefined;
    }
    const cached = this.open.get(id);
    if (cached && (await isUnchanged(cached))) {
      return cached;
    }
    try {
      const file = await openResultFile(entry.file.absolutePath, displayName(entry.file), this.decodeOptions);
      this.open.set(id, file);
      entry.summary = summarize(id, entry.file, file);
      return file;
    } catch (error) {
      this.open.delete(id);
      entry.summary = await errorSummary(id, entry.file, error);
      throw error;
    }
  }

  private async describe(id: string, file: FoundFile): Promise<Simulation> {
    try {
      const decoded = await openResultFile(file.absolutePath, displayName(file), this.decodeOptions);
      return summarize(id, file, decoded);
    } catch (error) {
      const summary = await errorSummary(id, file, error);
      if (error instanceof DecodeError) {
        this.logger.warn({ file: displayName(file), reason: summary.error }, 'result file cannot be used');
      } else {
        this.logger.error({ file: displayName(file), err: error }, 'unexpected failure while decoding a result file');
      }
      return summary;
    }
  }
}

function displayName(file: FoundFile): string {
  return `${file.root.name}/${file.relativePath}`;
}

function compareEntries(a: Entry, b: Entry): number {
  return a.summary.root.localeCompare(b.summary.root) || a.summary.path.localeCompare(b.summary.path);
}

async function isUnchanged(file: ResultFile): Promise<boolean> {
  const stats = await stat(file.path).catch(() => undefined);
  return stats !== undefined && stats.size === file.sizeBytes && stats.mtimeMs === file.modifiedMs;
}

function baseSummary(id: string, file: FoundFile): Omit<Simulation, 'format' | 'status' | 'sizeBytes' | 'modifiedAt'> {
  return {
    id,
    name: path.posix.basename(file.relativePath).replace(/\.[^.]+$/, ''),
    path: file.relativePath,
    root: file.root.name,
    variableCount: 0,
    timePointCount: 0,
    startTime: null,
    stopTime: null,
  };
}

function summarize(id: string, file: FoundFile, decoded: ResultFile): Simulation {
  return {
    ...baseSummary(id, file),
    format: decoded.format,
    status: 'ok',
    variableCount: decoded.variables.length,
    timePointCount: decoded.timePointCount,
    startTime: decoded.startTime,
    stopTime: decoded.stopTime,
    sizeBytes: decoded.sizeBytes,
    modifiedAt: new Date(decoded.modifiedMs).toISOString(),
  };
}

async function errorSummary(id: string, file: FoundFile, error: unknown): Promise<Simulation> {
  const stats = await stat(file.absolutePath).catch(() => undefined);
  const reason =
    error instanceof DecodeError
      ? error.message
      : `${displayName(file)}: could not be read (${error instanceof Error ? error.message : String(error)})`;
  return {
    ...baseSummary(id, file),
    format: 'unknown',
    status: 'error',
    error: reason,
    sizeBytes: stats?.size ?? 0,
    modifiedAt: new Date(stats?.mtimeMs ?? 0).toISOString(),
  };
}
