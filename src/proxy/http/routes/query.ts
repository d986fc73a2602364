import { API_PREFIX, QueryRequestSchema } from '../../../shared/api';
import type { Catalog } from '../../catalog/catalog';
import { runQuery, TooManySeriesError } from '../../query/run';
import type { App } from '../app';
import { HttpError } from '../errors';

export function queryRoutes(app: App, catalog: Catalog): void {
  app.post(`${API_PREFIX}/query`, { schema: { body: QueryRequestSchema } }, async (request) => {
    const { from, to } = request.body;
    if (from !== undefined && to !== undefined && from > to) {
      throw new HttpError(400, 'bad_request', `"from" (${from}) is after "to" (${to})`);
    }
    try {
      return { series: await runQuery(catalog, request.body) };
    } catch (error) {
      if (error instanceof TooManySeriesError) {
        throw new HttpError(400, 'too_many_series', error.message);
      }
      throw error;
    }
  });
}
