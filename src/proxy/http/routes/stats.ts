import { API_PREFIX, DEFAULT_STATS_FAILURES, StatsQuerySchema, StatsSchema } from '../../../shared/api';
import type { App } from '../app';
import { collectStats, type StatsSources } from '../stats';

/** Operational figures for the operations dashboard; needs the `read` scope like the other data routes. */
export function statsRoutes(app: App, sources: StatsSources): void {
  app.get(
    `${API_PREFIX}/stats`,
    { schema: { querystring: StatsQuerySchema, response: { 200: StatsSchema } } },
    async (request) => collectStats(sources, request.query.failures ?? DEFAULT_STATS_FAILURES)
  );
}
