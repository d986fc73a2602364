/**
 * Whether the proxy's cache folder takes writes. A full, read-only or missing cache must not fail
 * anything (reads then go uncached, and a start decodes every file again), but operators need to
 * know: each cache counts its failed writes for /metrics and reports an outage once, when it
 * starts, rather than once per file.
 */
export const CACHE_NAMES = ['index', 'layouts'] as const;
export type CacheName = (typeof CACHE_NAMES)[number];

interface CacheWriteState {
  failures: number;
  /** The last write failed (and none has succeeded since). */
  degraded: boolean;
}

type OutageListener = (cache: CacheName, error: unknown) => void;

export class CacheWriteHealth {
  private readonly state = new Map<CacheName, CacheWriteState>(CACHE_NAMES.map((name) => [name, { failures: 0, degraded: false }]));
  private readonly listeners = new Set<OutageListener>();

  /** Called when a cache goes from working to failing; returns the unsubscribe function. */
  onOutage(listener: OutageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  failed(cache: CacheName, error: unknown): void {
    const state = this.stateOf(cache);
    state.failures++;
    if (!state.degraded) {
      state.degraded = true;
      this.listeners.forEach((listener) => listener(cache, error));
    }
  }

  succeeded(cache: CacheName): void {
    this.stateOf(cache).degraded = false;
  }

  failures(cache: CacheName): number {
    return this.stateOf(cache).failures;
  }

  isDegraded(cache: CacheName): boolean {
    return this.stateOf(cache).degraded;
  }

  private stateOf(cache: CacheName): CacheWriteState {
    const state = this.state.get(cache);
    if (!state) {
      throw new Error(`unknown cache ${cache}`);
    }
    return state;
  }
}

/** Shared by everything in the process that writes to the cache folder. */
export const cacheWriteHealth = new CacheWriteHealth();
