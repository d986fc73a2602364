import { API_PREFIX, API_REVISION, HealthSchema, ReadySchema } from '../../../shared/api';
import type { Catalog } from '../../../engine/catalog/catalog';
import { PROXY_VERSION } from '../../../engine/version';
import type { App } from '../app';

export function healthRoutes(app: App, catalog: Catalog): void {
  app.get(
    `${API_PREFIX}/health`,
    { schema: { response: { 200: HealthSchema } } },
    async () => ({ status: 'ok' as const, version: PROXY_VERSION, simulations: catalog.size, api: API_REVISION })
  );

  // For load balancers and orchestrators: 503 until the index is loaded and the roots scanned.
  app.get(`${API_PREFIX}/ready`, { schema: { response: { 200: ReadySchema, 503: ReadySchema } } }, async (_request, reply) => {
    const ready = catalog.ready;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'starting', simulations: catalog.size });
  });
}
