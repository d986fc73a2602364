import type { ProxyMetrics } from '../metrics';
import type { App } from './app';

export const METRICS_ROUTE = '/metrics';

/** The label for requests that matched no route: their raw URLs would be unbounded label values. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every response by route pattern, method and status, and serves the registry at /metrics
 * (outside /api/v1: it is for Prometheus, not part of the datasource contract).
 */
export function installMetrics(app: App, metrics: ProxyMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const seconds = reply.elapsedTime / 1000;
    metrics.requestDuration.observe({ route, method: request.method, status: String(reply.statusCode) }, seconds);
    metrics.recentRequestDuration.observe({ route, method: request.method }, seconds);
  });
  app.get(METRICS_ROUTE, async (_request, reply) => {
    const body = await metrics.scrape();
    return reply.type(metrics.contentType).send(body);
  });
}
