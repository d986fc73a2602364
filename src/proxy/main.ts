import https from 'node:https';

import pino, { type DestinationStream, type Logger } from 'pino';

import { evictColumnCache } from '../engine/cache/evict';
import { cacheWriteHealth } from '../engine/cache/write-health';
import { Catalog, type CatalogObserver } from '../engine/catalog/catalog';
import type { ProxyConfig } from './config/config';
import { layoutBuildsIdle } from '../engine/decoder/mat4/layoutBuild';
import type { App } from './http/app';
import { buildServer } from './http/server';
import { readTlsFiles, reloadTls } from './http/tls';
import { ProxyMetrics } from './metrics';

export interface RunningProxy {
  /** Base URL, e.g. http://127.0.0.1:9800 (https:// with TLS). */
  url: string;
  port: number;
  app: App;
  catalog: Catalog;
  /** The instruments behind /metrics, for anything that wants to report more. */
  metrics: ProxyMetrics;
  /**
   * Re-reads the TLS certificate and key (what SIGHUP does). False when TLS is off or the files
   * could not be used; the previous certificate then stays in force.
   */
  reloadTls(): boolean;
  /** Stops accepting connections, lets in-flight requests finish, then stops background work. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Instruments to report to; a fresh set when absent. */
  metrics?: ProxyMetrics;
  /** How often the layout cache is brought back under its limit (default 5 minutes). */
  cacheCheckIntervalMs?: number;
}

const CACHE_CHECK_INTERVAL_MS = 5 * 60_000;

export function createLogger(level: ProxyConfig['logLevel'], destination?: DestinationStream): Logger {
  const options = {
    level,
    // Keys must never reach the logs, whatever a log call passes in.
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'apiKeys', '*.apiKeys'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Listens, then scans the data roots; resolves once the catalog is ready. Requests are answered
 * during the scan (health says ok, ready says starting), so probes see a live process at once.
 */
export async function startProxy(
  config: ProxyConfig,
  logger: Logger = createLogger(config.logLevel),
  options: StartOptions = {}
): Promise<RunningProxy> {
  const metrics = options.metrics ?? new ProxyMetrics();
  // First, so that unusable certificate files fail the start before anything runs.
  const tls = config.tls ? readTlsFiles(config.tls) : undefined;
  const stopCacheWarnings = cacheWriteHealth.onOutage((cache, error) =>
    logger.warn(
      { cache, cacheDir: config.cacheDir, err: error },
      'cannot write to the cache folder; reads go uncached until it takes writes again'
    )
  );
  const stopCacheChecks = await keepCacheInBounds(
    config,
    metrics,
    logger,
    options.cacheCheckIntervalMs ?? CACHE_CHECK_INTERVAL_MS
  );
  const catalog = new Catalog(config.roots, logger, {
    decode: { cacheDir: config.cacheDir },
    indexDir: config.cacheDir,
    watch: config.watch === 'off' ? false : { usePolling: config.watch === 'poll' },
    settleMs: config.settleMs,
    observer: catalogObserver(metrics),
  });
  const app = buildServer({
    catalog,
    logger,
    apiKeys: config.apiKeys,
    metrics,
    metricsProtected: config.metrics.protected,
    corsOrigins: config.cors.origins,
    responseCacheBytes: config.responseCacheBytes,
    regressionTolerances: config.regressionTolerances,
    tls,
    uploads: {
      root: config.uploadDir ? config.roots.find((root) => root.path === config.uploadDir) : undefined,
      maxBytes: config.uploadMaxBytes,
    },
  });
  const closeServer = prepareGracefulClose(app);
  const close = async () => {
    stopCacheChecks();
    stopCacheWarnings();
    await closeServer();
    // Closing saves the index: a catalog that never finished its first scan (the start failed)
    // would replace a good stored index with a partial one.
    if (catalog.ready) {
      await catalog.close();
    }
    await layoutBuildsIdle();
  };
  try {
    await app.listen({ port: config.port, host: config.host });
    await catalog.start();
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const port = listeningPort(app, config.port);
  return {
    url: `${config.tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}`,
    port,
    app,
    catalog,
    metrics,
    reloadTls: () => reloadCertificate(app, config, logger),
    close,
  };
}

/**
 * Closes the proxy, giving in-flight requests up to `timeoutMs` to finish. Resolves true when it
 * closed in time, false when requests were still running (the caller then exits anyway).
 */
export async function closeWithin(proxy: RunningProxy, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([proxy.close().then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How often a closing server looks for connections that went idle. */
const IDLE_SWEEP_MS = 100;

/**
 * fastify's close stops listening and closes connections that are idle at that moment; a keep-alive
 * connection whose request finishes later would stay open until the client drops it (Grafana's and
 * nginx's clients keep them for a minute or more), holding the shutdown up. So responses sent while
 * closing say `Connection: close`, and connections that go idle are closed as they do.
 */
function prepareGracefulClose(app: App): () => Promise<void> {
  let closing = false;
  app.addHook('onSend', async (_request, reply) => {
    if (closing) {
      reply.header('connection', 'close');
    }
  });
  return async () => {
    closing = true;
    const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
    try {
      await app.close();
    } finally {
      clearInterval(sweep);
    }
  };
}

function listeningPort(app: App, configured: number): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : configured;
}

/** A host for URLs: IPv6 in brackets, and the loopback address when listening on every interface. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') {
    return '127.0.0.1';
  }
  if (host === '::') {
    return '[::1]';
  }
  return host.includes(':') ? `[${host}]` : host;
}

function reloadCertificate(app: App, config: ProxyConfig, logger: Logger): boolean {
  // With TLS on, the server factory made an https.Server (app.server is typed as its HTTP base).
  if (!config.tls || !(app.server instanceof https.Server)) {
    logger.warn('TLS reload requested, but the proxy serves plain HTTP; nothing to reload');
    return false;
  }
  return reloadTls(app.server, config.tls, logger);
}

/** Reports the catalog's progress to the Prometheus instruments. */
function catalogObserver(metrics: ProxyMetrics): CatalogObserver {
  return {
    decoded: (format, ok, seconds) => metrics.decodeDuration.observe({ format, outcome: ok ? 'ok' : 'error' }, seconds),
    statusCounts: (counts) => {
      for (const [status, count] of Object.entries(counts)) {
        metrics.filesIndexed.set({ status }, count);
      }
    },
    readyChanged: (ready) => metrics.indexReady.set(ready ? 1 : 0),
    openFileLookup: (hit) => (hit ? metrics.cacheHits : metrics.cacheMisses).inc({ cache: 'open_files' }),
  };
}

/**
 * Brings the layout cache under `cacheMaxBytes` now and every `intervalMs` after; returns the stop
 * function. The timer is unref'd: it never keeps a stopping process alive.
 */
async function keepCacheInBounds(
  config: ProxyConfig,
  metrics: ProxyMetrics,
  logger: Logger,
  intervalMs: number
): Promise<() => void> {
  let running: Promise<void> | undefined;
  const check = () => {
    // A slow disk must not let checks pile up.
    running ??= evictOnce(config, metrics, logger).finally(() => (running = undefined));
    return running;
  };
  await check();
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

async function evictOnce(config: ProxyConfig, metrics: ProxyMetrics, logger: Logger): Promise<void> {
  try {
    const result = await evictColumnCache(config.cacheDir, config.cacheMaxBytes);
    metrics.cacheBytes.set({ cache: 'columns' }, result.remainingBytes);
    if (result.deletedFiles > 0 || result.failedFiles > 0) {
      logger.info({ cacheDir: config.cacheDir, maxBytes: config.cacheMaxBytes, ...result }, 'layout cache trimmed');
    }
  } catch (error) {
    // The cache only speeds reads up: a failure to trim it must not stop the proxy.
    logger.warn({ err: error, cacheDir: config.cacheDir }, 'layout cache size check failed');
  }
}
