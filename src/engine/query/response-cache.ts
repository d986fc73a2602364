/**
 * Query answers kept serialized, keyed by the request and the version (size and modification
 * time) of every file it reads. Dashboards ask the same questions again and again: simulation
 * time ranges are absolute, so a refresh, a second viewer or a panel re-rendering sends the very
 * same query, and writing out its numbers was the largest cost of a query under load. A file that
 * changes gets a new version, so an answer is never served for another version of its file.
 * Bounded by bytes, least recently used first out.
 */
import type { QueryRequest } from '../../shared/api';

export const RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;

/** The version of one file a query reads: it changes whenever the file does. */
export interface FileVersion {
  id: string;
  sizeBytes: number;
  modifiedMs: number;
}

/** What the cache reports, for /metrics. */
export interface ResponseCacheObserver {
  lookup?(hit: boolean): void;
  held?(bytes: number): void;
}

export class ResponseCache {
  private readonly entries = new Map<string, Buffer>();
  private heldBytes = 0;

  constructor(
    private readonly maxBytes = RESPONSE_CACHE_BYTES,
    private readonly observer: ResponseCacheObserver = {}
  ) {}

  get(key: string): Buffer | undefined {
    const body = this.entries.get(key);
    if (body) {
      this.entries.delete(key);
      this.entries.set(key, body);
    }
    this.observer.lookup?.(body !== undefined);
    return body;
  }

  set(key: string, body: Buffer): void {
    // One answer may not push out most of the others.
    if (body.length > this.maxBytes / 8 || this.entries.has(key)) {
      return;
    }
    this.entries.set(key, body);
    this.heldBytes += body.length + key.length;
    for (const [oldest, held] of this.entries) {
      if (this.heldBytes <= this.maxBytes) {
        break;
      }
      this.entries.delete(oldest);
      this.heldBytes -= held.length + oldest.length;
    }
    this.observer.held?.(this.heldBytes);
  }

  /** A cache of 0 bytes keeps nothing, and is not even asked. */
  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get sizeBytes(): number {
    return this.heldBytes;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The same key for the same question about the same file versions in the same form (JSON or binary), whatever the field order. */
export function responseKey(request: QueryRequest, versions: readonly FileVersion[], form = 'json'): string {
  const { simulations, variables, from, to, maxDataPoints } = request;
  const fileVersions = versions.map((v) => [v.id, v.sizeBytes, v.modifiedMs]);
  return JSON.stringify([form, simulations, variables, from ?? null, to ?? null, maxDataPoints ?? null, fileVersions]);
}
