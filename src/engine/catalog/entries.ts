/** The entries by id with the counts and failures derived from them: kept together so every change is published. */
import type { Simulation, SimulationStatus } from '../../shared/api';
import { FailureLog } from './failures';
import type { FileStats, FoundFile } from './scan';
import type { CatalogObserver, Failure } from './types';

export interface Entry {
  file: FoundFile;
  stats: FileStats;
  sidecarMtimeMs: number | null;
  summary: Simulation;
  settleTimer?: NodeJS.Timeout;
  /** While its data root is unavailable: the summary from before, restored when the root is back. */
  beforeOutage?: Simulation;
}

export class EntryTable {
  private byId = new Map<string, Entry>();
  private readonly failureLog = new FailureLog();

  constructor(private readonly observer: CatalogObserver) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  set(id: string, entry: Entry): void {
    this.byId.set(id, entry);
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  values(): IterableIterator<Entry> {
    return this.byId.values();
  }

  entries(): IterableIterator<[string, Entry]> {
    return this.byId.entries();
  }

  /** Takes a whole scan's entries; settle timers of entries it does not keep are cancelled. */
  replace(entries: Map<string, Entry>): void {
    for (const [id, old] of this.byId) {
      if (entries.get(id) !== old) {
        clearTimeout(old.settleTimer);
      }
    }
    this.byId = entries;
    this.publishCounts();
  }

  countByStatus(): Record<SimulationStatus, number> {
    const counts: Record<SimulationStatus, number> = { ok: 0, error: 0, writing: 0 };
    for (const entry of this.byId.values()) {
      counts[entry.summary.status]++;
    }
    return counts;
  }

  /** Called after every change of any entry, so the failure log and the status metrics stay current. */
  publishCounts(): void {
    this.failureLog.update(
      [...this.byId.values()].filter((entry) => entry.summary.status === 'error').map((entry) => entry.summary.id)
    );
    this.observer.statusCounts?.(this.countByStatus());
  }

  /** The `limit` files that most recently started failing, latest first (then by path). */
  failures(limit: number): Failure[] {
    const failing = [...this.byId.values()]
      .filter((entry) => entry.summary.status === 'error')
      .map((entry) => ({ simulation: entry.summary, seenAtMs: this.failureLog.seenAt(entry.summary.id) ?? 0 }));
    failing.sort((a, b) => b.seenAtMs - a.seenAtMs || a.simulation.path.localeCompare(b.simulation.path));
    return failing.slice(0, limit);
  }
}

export function sameStats(a: FileStats, b: FileStats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
