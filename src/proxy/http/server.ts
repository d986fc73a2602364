import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';

import type { Catalog } from '../../engine/catalog/catalog';
import type { ApiKey } from '../config/values';
import { ProxyMetrics } from '../metrics';
import type { App } from './app';
import { installAuth } from './auth';
import { installCors } from './cors';
import { installErrorHandlers } from './errors';
import { waitForFirstScan } from './firstScan';
import { installMetrics } from './metrics';
import { installSecurityHeaders } from './security-headers';
import { healthRoutes } from './routes/health';
import { RESPONSE_CACHE_BYTES, ResponseCache } from '../../engine/query/response-cache';
import { queryRoutes } from './routes/query';
import { openApiOptions, openApiRoute } from './routes/openapi';
import { simulationRoutes } from './routes/simulations';
import { statsRoutes } from './routes/stats';
import { uploadRoutes, type UploadOptions } from './routes/upload';
import { variableRoutes } from './routes/variables';
import { regressionRoutes } from './routes/regression/routes';
import { liveRoutes } from './routes/live';
import { Followers } from '../../engine/live/followers';
import type { Tolerances } from '../../engine/compare/types';
import { trackRequest } from '../../engine/util/activity';
import { httpsServerFactory, type TlsMaterial } from './tls';

export interface ServerOptions {
  catalog: Catalog;
  logger: Logger;
  apiKeys: readonly ApiKey[];
  /** Request bodies above this are answered with 413. */
  bodyLimitBytes?: number;
  /** Where request timings go; a fresh set of instruments when absent. */
  metrics?: ProxyMetrics;
  /** Whether /metrics needs an API key (default: open). */
  metricsProtected?: boolean;
  /** Browser origins allowed by CORS; none (the default) leaves CORS off. */
  corsOrigins?: readonly string[];
  /** Serve HTTPS with this certificate and key instead of plain HTTP. */
  tls?: TlsMaterial;
  /** Where uploads go and how large they may be; uploads are refused without a root. */
  uploads?: UploadOptions;
  /** Query answers kept in memory (RESPONSE_CACHE_BYTES when absent); 0 keeps none. */
  responseCacheBytes?: number;
  /** Served only in process (the backend datasource's folder mode), never on a port: no keys needed. */
  inProcess?: boolean;
  /** Default tolerances of the regression check (the proxy config's `regression.tolerances`). */
  regressionTolerances?: Partial<Tolerances>;
  /** How long a request naming a run not listed yet waits for the first scan (firstScan.ts). */
  firstScanWaitMs?: number;
}

export function buildServer(options: ServerOptions): App {
  const startedAtMs = Date.now();
  const metrics = options.metrics ?? new ProxyMetrics();
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestIdHeader: 'x-request-id',
    ...(options.tls ? { serverFactory: httpsServerFactory(options.tls) } : {}),
    ajv: {
      // Unknown fields are an error, not silently dropped; defaults fill optional paging values.
      customOptions: { removeAdditional: false, useDefaults: true, coerceTypes: 'array', allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandlers(app);
  app.addHook('onRequest', async (_request, reply) => trackRequest(reply.raw));
  installSecurityHeaders(app, { tls: options.tls !== undefined, crossOrigin: (options.corsOrigins ?? []).length > 0 });
  // CORS first: preflights carry no key, and 401s need CORS headers for the page to read them.
  installCors(app, options.corsOrigins ?? []);
  // After them: 401s carry the security and CORS headers (security-headers.test.ts).
  installAuth(app, options.apiKeys, { metricsProtected: options.metricsProtected, inProcess: options.inProcess });
  installMetrics(app, metrics);
  // The OpenAPI document is generated from the route schemas, so it is registered before them.
  app.register(swagger, openApiOptions());
  app.register(async (api) => {
    api.addHook('preHandler', waitForFirstScan(options.catalog, options.firstScanWaitMs));
    openApiRoute(api);
    healthRoutes(api, options.catalog);
    simulationRoutes(api, options.catalog);
    variableRoutes(api, options.catalog);
    const responses = new ResponseCache(options.responseCacheBytes ?? RESPONSE_CACHE_BYTES, {
      lookup: (hit) => (hit ? metrics.cacheHits : metrics.cacheMisses).inc({ cache: 'responses' }),
      held: (bytes) => metrics.cacheBytes.set({ cache: 'responses' }, bytes),
    });
    queryRoutes(api, options.catalog, responses);
    statsRoutes(api, { catalog: options.catalog, metrics, startedAtMs });
    regressionRoutes(api, options.catalog, { tolerances: options.regressionTolerances });
    const followers = new Followers();
    api.addHook('onClose', () => followers.closeAll());
    liveRoutes(api, options.catalog, followers);
    await uploadRoutes(api, options.catalog, options.uploads ?? { maxBytes: 0 });
  });
  return app;
}
