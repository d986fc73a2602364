import { API_PREFIX, HealthSchema } from '../../../shared/api';
import type { Catalog } from '../../catalog/catalog';
import { PROXY_VERSION } from '../../version';
import type { App } from '../app';

export function healthRoutes(app: App, catalog: Catalog): void {
  app.get(
    `${API_PREFIX}/health`,
    { schema: { response: { 200: HealthSchema } } },
    async () => ({ status: 'ok' as const, version: PROXY_VERSION, simulations: catalog.size })
  );
}
