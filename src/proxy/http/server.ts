import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';

import type { Catalog } from '../catalog/catalog';
import type { App } from './app';
import { installAuth } from './auth';
import { installErrorHandlers } from './errors';
import { healthRoutes } from './routes/health';
import { queryRoutes } from './routes/query';
import { simulationRoutes } from './routes/simulations';

export interface ServerOptions {
  catalog: Catalog;
  logger: Logger;
  apiKeys: readonly string[];
  /** Request bodies above this are answered with 413. */
  bodyLimitBytes?: number;
}

export function buildServer(options: ServerOptions): App {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestIdHeader: 'x-request-id',
    ajv: {
      // Unknown fields are an error, not silently dropped; defaults fill optional paging values.
      customOptions: { removeAdditional: false, useDefaults: true, coerceTypes: 'array', allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandlers(app);
  installAuth(app, options.apiKeys);
  healthRoutes(app, options.catalog);
  simulationRoutes(app, options.catalog);
  queryRoutes(app, options.catalog);
  return app;
}
