import type { SwaggerOptions } from '@fastify/swagger';

import { API_PREFIX } from '../../../shared/api';
import { PROXY_VERSION } from '../../../engine/version';
import type { App } from '../app';

export function openApiOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'SimViz proxy API',
        description: 'Simulation results (Dymola / OpenModelica .mat, CSV, MAT v7.3, SDF) as time series.',
        version: PROXY_VERSION,
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key of the proxy' } },
      },
      security: [{ apiKey: [] }],
    },
  };
}

export function openApiRoute(app: App): void {
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
}
