import pino, { type Logger } from 'pino';

import { Catalog } from './catalog/catalog';
import type { ProxyConfig } from './config';
import type { App } from './http/app';
import { buildServer } from './http/server';

export interface RunningProxy {
  /** Base URL, e.g. http://127.0.0.1:9800 */
  url: string;
  port: number;
  app: App;
  catalog: Catalog;
  close(): Promise<void>;
}

export function createLogger(level: ProxyConfig['logLevel']): Logger {
  return pino({
    level,
    // Keys must never reach the logs, whatever a log call passes in.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'apiKeys'], censor: '[redacted]' },
  });
}

/** Scans the data roots, then listens. Resolves once requests can be served. */
export async function startProxy(config: ProxyConfig, logger: Logger = createLogger(config.logLevel)): Promise<RunningProxy> {
  const catalog = new Catalog(config.roots, logger, { decode: { cacheDir: config.cacheDir } });
  await catalog.scan();
  const app = buildServer({ catalog, logger, apiKeys: config.apiKeys });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    app,
    catalog,
    close: () => app.close(),
  };
}
