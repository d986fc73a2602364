import type { Stats } from '../../shared/api';
import type { Field, FieldKind, Frame } from '../frames/frame';
import { ProxyError } from '../../shared/proxyClient';
import type { SimVizQuery, StatsTable } from '../../datasource/types';
import type { QueryRunner } from './context';

/** Recent failures a stats query lists. */
export const STATS_FAILURES = 20;

type Value = number | string | null;

function field(name: string, type: FieldKind, values: Value[], unit?: string): Field {
  return { name, type, values, config: unit ? { unit } : {} };
}
const num = (name: string, values: Array<number | null>, unit = 'none') => field(name, 'number', values, unit);
const text = (name: string, values: string[]) => field(name, 'string', values);
const time = (name: string, isoTimes: Array<string | null>) => field(name, 'time', isoTimes.map((t) => (t === null ? null : Date.parse(t))));

/** Version, readiness, uptime and memory: one row, for stat panels. */
function summaryFields(stats: Stats): Field[] {
  return [
    text('Version', [stats.version]),
    text('Status', [stats.ready ? 'ready' : 'starting']),
    time('Started', [stats.startedAt]),
    num('Uptime', [stats.uptimeSeconds], 's'),
    num('Simulations', [stats.simulations.total]),
    num('Failing', [stats.simulations.error]),
    num('Memory (RSS)', [stats.memory.rssBytes], 'bytes'),
    num('Heap used', [stats.memory.heapUsedBytes], 'bytes'),
  ];
}

function statusFields({ simulations }: Stats): Field[] {
  const statuses = ['ok', 'writing', 'error'] as const;
  return [text('Status', [...statuses]), num('Simulations', statuses.map((status) => simulations[status]))];
}

function failureFields({ recentFailures }: Stats): Field[] {
  return [
    time('Seen', recentFailures.map((f) => f.seenAt)),
    text('Root', recentFailures.map((f) => f.root)),
    text('Path', recentFailures.map((f) => f.path)),
    text('Reason', recentFailures.map((f) => f.reason)),
  ];
}

/** The last scan and the decoding since start: one row, for stat panels. */
function indexingFields({ indexing }: Stats): Field[] {
  const scan = indexing.lastScan;
  return [
    time('Last scan', [scan?.finishedAt ?? null]),
    num('Scan duration', [scan?.durationMs ?? null], 'ms'),
    num('Files scanned', [scan?.files ?? null]),
    num('From index', [scan?.fromIndex ?? null]),
    num('Decoded', [scan?.decoded ?? null]),
    num('Failed', [scan?.failed ?? null]),
    num('Index load', [scan?.indexLoadMs ?? null], 'ms'),
    num('Scans', [indexing.scans]),
    num('Decodes', [indexing.decodes]),
    num('Decode errors', [indexing.decodeErrors]),
    num('Decode time', [indexing.decodeMs], 'ms'),
  ];
}

function cacheFields({ caches }: Stats): Field[] {
  const ratio = (hits: number, misses: number) => (hits + misses > 0 ? hits / (hits + misses) : null);
  return [
    text('Cache', caches.map((c) => c.name)),
    num('Hits', caches.map((c) => c.hits)),
    num('Misses', caches.map((c) => c.misses)),
    num('Hit ratio', caches.map((c) => ratio(c.hits, c.misses)), 'percentunit'),
    num('Size', caches.map((c) => c.bytes), 'bytes'),
  ];
}

function routeFields({ requests }: Stats): Field[] {
  const routes = requests.routes;
  return [
    text('Route', routes.map((r) => r.route)),
    text('Method', routes.map((r) => r.method)),
    num('Requests', routes.map((r) => r.requests)),
    num('Server errors', routes.map((r) => r.serverErrors)),
    num('p50', routes.map((r) => r.p50Ms), 'ms'),
    num('p95', routes.map((r) => r.p95Ms), 'ms'),
    num('p99', routes.map((r) => r.p99Ms), 'ms'),
    num('Max', routes.map((r) => r.maxMs), 'ms'),
  ];
}

const TABLES: Record<StatsTable, { name: string; fields: (stats: Stats) => Field[]; table: boolean }> = {
  summary: { name: 'Proxy', fields: summaryFields, table: false },
  status: { name: 'Simulations by status', fields: statusFields, table: true },
  failures: { name: 'Recent failures', fields: failureFields, table: true },
  indexing: { name: 'Indexing', fields: indexingFields, table: false },
  caches: { name: 'Caches', fields: cacheFields, table: true },
  routes: { name: 'Request timings', fields: routeFields, table: true },
};

export function statsFrame(stats: Stats, query: SimVizQuery): Frame {
  const table = TABLES[query.statsTable ?? 'summary'];
  const notices =
    query.statsTable === 'routes' ? [{ severity: 'info' as const, text: `Quantiles over the last ${stats.requests.windowSeconds / 60} minutes; requests since the proxy started` }] : [];
  return {
    refId: query.refId,
    name: table.name,
    meta: { preferredVisualisationType: table.table ? 'table' : undefined, notices },
    fields: table.fields(stats),
  };
}

/** Stats: the proxy's own operational figures, so an operations dashboard needs no Prometheus. */
export const runStats: QueryRunner = async (context, query) => {
  try {
    const stats = await context.client.stats({ failures: STATS_FAILURES });
    return { frames: [statsFrame(stats, query)], errors: [] };
  } catch (error) {
    if (error instanceof ProxyError && error.kind === 'not_found') {
      throw new ProxyError('not_found', 'this SimViz proxy has no statistics (GET /api/v1/stats): update it to 0.2.0 or later');
    }
    throw error;
  }
};
