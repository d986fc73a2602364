import { API_PREFIX, QueryRequestSchema } from '../../../shared/api';
import type { Catalog } from '../../catalog/catalog';
import { runQuery, TooManySeriesError } from '../../query/run';
import { queryResponseJson } from '../../query/serialize';
import type { App } from '../app';
import { HttpError } from '../errors';

export function queryRoutes(app: App, catalog: Catalog): void {
  app.post(`${API_PREFIX}/query`, { schema: { body: QueryRequestSchema } }, async (request, reply) => {
    const { from, to } = request.body;
    if (from !== undefined && to !== undefined && from > to) {
      throw new HttpError(400, 'bad_request', `"from" (${from}) is after "to" (${to})`);
    }
    try {
      const series = await runQuery(catalog, request.body);
      return reply.type('application/json; charset=utf-8').send(queryResponseJson(series));
    } catch (error) {
      if (error instanceof TooManySeriesError) {
        throw new HttpError(400, 'too_many_series', error.message);
      }
      throw error;
    }
  });
}
