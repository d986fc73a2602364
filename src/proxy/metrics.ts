import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

import { CACHE_NAMES, cacheWriteHealth, type CacheName } from '../engine/cache/write-health';
import { edgeRows } from '../engine/decoder/mat4/edgeRows';
import { memoBytes, readStats } from '../engine/decoder/mat4/memo';
import { summaryMemoryBytes } from '../engine/decoder/mat4/summaryMemory';

/** Request latencies from a cached listing (~1 ms) to a first read of a multi-GB file (~10 s and more). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** The sliding window of the response-time quantiles that /api/v1/stats reports. */
export const RECENT_WINDOW_SECONDS = 600;
export const RECENT_QUANTILES = [0.5, 0.95, 0.99, 1] as const;

/** Decoding a catalogue: small files in milliseconds, large HDF5/MAT v7.3 files in minutes. */
const DECODE_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300];

export interface ProxyMetricsOptions {
  /** Process metrics (CPU, memory, event loop, GC, handles); on unless turned off. */
  processMetrics?: boolean;
}

/**
 * The proxy's Prometheus instruments, on a registry of their own: several proxies share a process
 * in tests (and could in an embedding), and the global default registry would mix their numbers
 * and reject the second registration of every name.
 */
export class ProxyMetrics {
  readonly registry = new Registry();

  /** By route pattern (e.g. `/api/v1/simulations/:id`), never the raw URL, to keep label values few. */
  readonly requestDuration = new Histogram<'route' | 'method' | 'status'>({
    name: 'simviz_http_request_duration_seconds',
    help: 'Time from receiving a request to sending the last byte of its response, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  /**
   * The same timings as requestDuration, as quantiles over the last RECENT_WINDOW_SECONDS for
   * /api/v1/stats. Not on the registry: Prometheus users have the histogram, and summaries cannot
   * be added up across workers or instances. Empty windows are pruned, so a route without recent
   * requests has no quantiles rather than zeros.
   */
  readonly recentRequestDuration = new Summary<'route' | 'method'>({
    name: 'simviz_http_request_recent_duration_seconds',
    help: 'Response times over a sliding window, by route pattern and method.',
    labelNames: ['route', 'method'],
    percentiles: [...RECENT_QUANTILES],
    maxAgeSeconds: RECENT_WINDOW_SECONDS,
    ageBuckets: 5,
    pruneAgedBuckets: true,
    registers: [],
  });

  readonly decodeDuration = new Histogram<'format' | 'outcome'>({
    name: 'simviz_decode_duration_seconds',
    help: 'Time to decode the catalogue (names, units, sizes) of one result file, by format and outcome (ok or error).',
    labelNames: ['format', 'outcome'],
    buckets: DECODE_BUCKETS,
    registers: [this.registry],
  });

  readonly filesIndexed = new Gauge<'status'>({
    name: 'simviz_files_indexed',
    // With several workers each indexes the same files: the total is one worker's count, not the sum.
    aggregator: 'max',
    help: 'Result files in the index, by status: ok, error (cannot be read), writing (still being written).',
    labelNames: ['status'],
    registers: [this.registry],
  });

  readonly indexReady = new Gauge({
    name: 'simviz_index_ready',
    // Ready only when every worker is.
    aggregator: 'min',
    help: '1 once the first scan of the data roots has finished, else 0.',
    registers: [this.registry],
  });

  readonly cacheBytes = new Gauge<'cache'>({
    name: 'simviz_cache_bytes',
    // The workers share one cache folder.
    aggregator: 'max',
    help: 'Bytes on disk (or in memory) held by each cache.',
    labelNames: ['cache'],
    registers: [this.registry],
  });

  readonly cacheHits: Counter<'cache'> = new Counter<'cache'>({
    name: 'simviz_cache_hits_total',
    help: 'Lookups answered from a cache, by cache.',
    labelNames: ['cache'],
    registers: [this.registry],
    // Runs on every collection, in every worker, before either counter is written out: the
    // decoder's plain counts are brought in here.
    collect: () => this.catchUpReadCounters(),
  });

  readonly cacheMisses = new Counter<'cache'>({
    name: 'simviz_cache_misses_total',
    help: 'Lookups a cache could not answer, by cache.',
    labelNames: ['cache'],
    registers: [this.registry],
  });

  readonly columnMemoryBytes: Gauge = new Gauge({
    name: 'simviz_column_memory_bytes',
    help: "Bytes of small files' columns kept in memory (at most 256 MiB per process).",
    registers: [this.registry],
    collect: () => this.columnMemoryBytes.set(memoBytes()),
  });

  readonly summaryMemoryBytes: Gauge<'kind'> = new Gauge<'kind'>({
    name: 'simviz_summary_memory_bytes',
    help: "Bytes kept in memory for downsampled reads of large files: layouts' block summaries (at most 128 MiB), and the rows and pieces at bucket edges of recent ranges (2 buffers of at most 20 MiB).",
    labelNames: ['kind'],
    registers: [this.registry],
    collect: () => {
      this.summaryMemoryBytes.set({ kind: 'summaries' }, summaryMemoryBytes());
      this.summaryMemoryBytes.set({ kind: 'edges' }, edgeRows.bytes);
    },
  });

  readonly cacheWriteFailures: Counter<'cache'> = new Counter<'cache'>({
    name: 'simviz_cache_write_failures_total',
    help: 'Writes to the cache folder that failed (full, read-only or missing), by cache (index, layouts); reads go uncached meanwhile.',
    labelNames: ['cache'],
    registers: [this.registry],
    collect: () => this.catchUpCacheWriteFailures(),
  });

  readonly cacheDegraded: Gauge<'cache'> = new Gauge<'cache'>({
    name: 'simviz_cache_degraded',
    help: '1 while the last write to a cache failed (it is bypassed until a write succeeds), else 0.',
    labelNames: ['cache'],
    aggregator: 'max',
    registers: [this.registry],
    collect: () => CACHE_NAMES.forEach((cache) => this.cacheDegraded.set({ cache }, cacheWriteHealth.isDegraded(cache) ? 1 : 0)),
  });

  /** cacheWriteHealth failures already added to the counter. */
  private readonly reportedWriteFailures = new Map<CacheName, number>();

  private catchUpCacheWriteFailures(): void {
    for (const cache of CACHE_NAMES) {
      const failures = cacheWriteHealth.failures(cache);
      this.cacheWriteFailures.inc({ cache }, failures - (this.reportedWriteFailures.get(cache) ?? 0));
      this.reportedWriteFailures.set(cache, failures);
    }
  }

  /** readStats values already added to the counters. */
  private readonly reported = { memoHits: 0, memoMisses: 0, layoutReads: 0, fileReads: 0 };

  /**
   * Reads of binTrans results by where they were served from: `column_memory` (small files kept in
   * memory) and `layouts` (per-variable layouts on disk; a miss reads the result file itself).
   */
  private catchUpReadCounters(): void {
    const add = (key: keyof typeof readStats, counter: Counter<'cache'>, cache: string) => {
      const delta = readStats[key] - this.reported[key];
      if (delta > 0) {
        counter.inc({ cache }, delta);
        this.reported[key] = readStats[key];
      }
    };
    add('memoHits', this.cacheHits, 'column_memory');
    add('memoMisses', this.cacheMisses, 'column_memory');
    add('layoutReads', this.cacheHits, 'layouts');
    add('fileReads', this.cacheMisses, 'layouts');
  }

  constructor(options: ProxyMetricsOptions = {}) {
    // Until something reports a finished scan, the index is not ready.
    this.indexReady.set(0);
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
    }
  }

  private scrapeSource?: () => Promise<string>;

  /** With several worker processes, a scrape collects every worker's metrics (see cluster.ts). */
  scrapeWith(source: () => Promise<string>): void {
    this.scrapeSource = source;
  }

  /** The exposition text for a scrape, in the format `contentType` names. */
  scrape(): Promise<string> {
    return this.scrapeSource ? this.scrapeSource() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
