import cors from '@fastify/cors';

import type { App } from './app';

/** Methods the API uses now or for uploads; preflights for others are refused. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * CORS for exactly `origins`, for browser pages that call the proxy directly (Grafana itself goes
 * through its server-side data proxy and needs none). With no origins nothing is added: browsers
 * then refuse cross-origin reads, which is the safe default. Registered before authentication so
 * that preflights (which never carry a key) are answered, and so that 401s carry CORS headers the
 * page can read.
 */
export function installCors(app: App, origins: readonly string[]): void {
  if (origins.length === 0) {
    return;
  }
  void app.register(cors, {
    origin: [...origins],
    methods: METHODS,
    // Keys travel in the Authorization header, never in cookies.
    credentials: false,
    exposedHeaders: ['WWW-Authenticate'],
    maxAge: 600,
  });
}
