/** The catalog's public option and report types, apart so that its parts can use them without importing catalog.ts. */
import type { Simulation, SimulationStatus } from '../../shared/api';
import type { DecodeOptions } from '../decoder';
import type { WatchOptions } from './watcher';

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
