/**
 * The figures behind GET /api/v1/stats, read from what the proxy already keeps: the catalog (status
 * counts, failures, scans) and the prom-client instruments that /metrics exposes, so the numbers
 * on the operations dashboard and in Prometheus agree.
 */
import type { Stats, StatsCache, StatsFailure, StatsRoute, StatsScan } from '../../shared/api';
import type { Catalog, ScanStats } from '../../engine/catalog/catalog';
import { RECENT_QUANTILES, RECENT_WINDOW_SECONDS, type ProxyMetrics } from '../metrics';
import { PROXY_VERSION } from '../../engine/version';

type Labels = Partial<Record<string, string | number>>;
interface Sample {
  value: number;
  labels: Labels;
  metricName?: string;
}

const MS_PER_SECOND = 1000;
/** Listed even before their first lookup, so the dashboard shows every cache from the start. */
const KNOWN_CACHES = ['column_memory', 'layouts', 'open_files', 'responses'];

function routeKey(labels: Labels): string {
  return `${labels.method} ${labels.route}`;
}

/** Requests and 5xx responses since start, by route and method, from the request histogram's counts. */
function requestCounts(samples: readonly Sample[]): Map<string, { route: string; method: string; requests: number; serverErrors: number }> {
  const counts = new Map<string, { route: string; method: string; requests: number; serverErrors: number }>();
  for (const sample of samples.filter((s) => s.metricName?.endsWith('_count'))) {
    const key = routeKey(sample.labels);
    const entry = counts.get(key) ?? { route: String(sample.labels.route), method: String(sample.labels.method), requests: 0, serverErrors: 0 };
    entry.requests += sample.value;
    entry.serverErrors += Number(sample.labels.status) >= 500 ? sample.value : 0;
    counts.set(key, entry);
  }
  return counts;
}

/** Quantiles in milliseconds by route and method, from the sliding-window summary (quantile samples carry no metricName). */
function recentQuantiles(samples: readonly Sample[]): Map<string, Map<number, number>> {
  const quantiles = new Map<string, Map<number, number>>();
  for (const sample of samples.filter((s) => s.labels.quantile !== undefined && s.metricName === undefined)) {
    const key = routeKey(sample.labels);
    const byQuantile = quantiles.get(key) ?? new Map<number, number>();
    byQuantile.set(Number(sample.labels.quantile), sample.value * MS_PER_SECOND);
    quantiles.set(key, byQuantile);
  }
  return quantiles;
}

export async function routeStats(metrics: ProxyMetrics): Promise<StatsRoute[]> {
  const counts = requestCounts((await metrics.requestDuration.get()).values);
  const recent = recentQuantiles((await metrics.recentRequestDuration.get()).values);
  const [p50, p95, p99, max] = RECENT_QUANTILES;
  return [...counts.entries()]
    .map(([key, count]) => {
      const q = recent.get(key);
      const at = (quantile: number) => q?.get(quantile) ?? null;
      return { ...count, p50Ms: at(p50), p95Ms: at(p95), p99Ms: at(p99), maxMs: at(max) };
    })
    .sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
}

function sumBy(samples: readonly Sample[], label: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const sample of samples) {
    const key = String(sample.labels[label]);
    sums.set(key, (sums.get(key) ?? 0) + sample.value);
  }
  return sums;
}

/** The metric's single value, or null before anything set it. */
function gaugeValue(samples: readonly Sample[], cache?: string): number | null {
  const sample = samples.find((s) => cache === undefined || s.labels.cache === cache);
  return sample ? sample.value : null;
}

/** Hits and misses of each cache, with the bytes it holds where that is measured. */
export async function cacheStats(metrics: ProxyMetrics): Promise<StatsCache[]> {
  // Reading the hits runs their collect hook, which brings in the decoder's read counters.
  const hits = sumBy((await metrics.cacheHits.get()).values, 'cache');
  const misses = sumBy((await metrics.cacheMisses.get()).values, 'cache');
  const bytes: Record<string, number | null> = {
    column_memory: gaugeValue((await metrics.columnMemoryBytes.get()).values),
    // The gauge calls the per-variable layouts on disk `columns`.
    layouts: gaugeValue((await metrics.cacheBytes.get()).values, 'columns'),
    responses: gaugeValue((await metrics.cacheBytes.get()).values, 'responses'),
  };
  const names = [...new Set([...KNOWN_CACHES, ...hits.keys(), ...misses.keys()])].sort();
  return names.map((name) => ({ name, hits: hits.get(name) ?? 0, misses: misses.get(name) ?? 0, bytes: bytes[name] ?? null }));
}

async function decodeStats(metrics: ProxyMetrics): Promise<{ decodes: number; decodeErrors: number; decodeMs: number }> {
  const samples = (await metrics.decodeDuration.get()).values;
  const total = (suffix: string, outcome?: string) =>
    samples.filter((s) => s.metricName?.endsWith(suffix) && (outcome === undefined || s.labels.outcome === outcome)).reduce((sum, s) => sum + s.value, 0);
  return { decodes: total('_count'), decodeErrors: total('_count', 'error'), decodeMs: total('_sum') * MS_PER_SECOND };
}

function toScan(scan: ScanStats | null): StatsScan | null {
  if (!scan) {
    return null;
  }
  const { finishedAtMs, ...figures } = scan;
  return { ...figures, finishedAt: new Date(finishedAtMs).toISOString() };
}

function failures(catalog: Catalog, limit: number): StatsFailure[] {
  return catalog.failures(limit).map(({ simulation, seenAtMs }) => ({
    id: simulation.id,
    root: simulation.root,
    path: simulation.path,
    reason: simulation.error ?? 'unknown',
    seenAt: new Date(seenAtMs).toISOString(),
  }));
}

export interface StatsSources {
  catalog: Catalog;
  metrics: ProxyMetrics;
  /** When the server was built, in epoch milliseconds. */
  startedAtMs: number;
}

export async function collectStats({ catalog, metrics, startedAtMs }: StatsSources, failureLimit: number): Promise<Stats> {
  const counts = catalog.statusCounts;
  const memory = process.memoryUsage();
  const scans = catalog.scanStats;
  return {
    version: PROXY_VERSION,
    startedAt: new Date(startedAtMs).toISOString(),
    uptimeSeconds: Math.max(0, (Date.now() - startedAtMs) / MS_PER_SECOND),
    ready: catalog.ready,
    simulations: { total: catalog.size, ...counts },
    recentFailures: failures(catalog, failureLimit),
    indexing: { scans: scans.count, lastScan: toScan(scans.last), ...(await decodeStats(metrics)) },
    caches: await cacheStats(metrics),
    requests: { windowSeconds: RECENT_WINDOW_SECONDS, routes: await routeStats(metrics) },
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
  };
}
