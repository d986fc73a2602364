#!/usr/bin/env node
import type { Logger } from 'pino';

import { isClusterWorker, runPrimary, workerMetrics } from './cluster';
import { ConfigError, parseCommandLine, USAGE, type CliAction } from './config/config';
import { closeWithin, createLogger, startProxy, type RunningProxy } from './main';
import { ProxyMetrics } from './metrics';
import { PROXY_VERSION } from '../engine/version';

/** Exit codes: 0 after a clean shutdown, 1 on failure (or a shutdown that timed out), 2 on bad configuration. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

async function main(): Promise<number> {
  let action: CliAction;
  try {
    action = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`simviz-proxy: ${error.message}\n\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (action.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (action.kind === 'version') {
    process.stdout.write(`${PROXY_VERSION}\n`);
    return 0;
  }
  const { config } = action;
  const logger = createLogger(config.logLevel);
  if (config.workers > 1 && !isClusterWorker()) {
    return runPrimary({ workers: config.workers, shutdownTimeoutMs: config.shutdownTimeoutMs }, logger);
  }
  const metrics = new ProxyMetrics();
  if (isClusterWorker()) {
    metrics.scrapeWith(workerMetrics(metrics.registry));
  }
  const proxy = await startProxy(config, logger, { metrics });
  logger.info(
    {
      url: proxy.url,
      roots: config.roots,
      simulations: proxy.catalog.size,
      auth: config.apiKeys.length > 0,
      tls: config.tls !== undefined,
      cors: config.cors.origins,
    },
    'SimViz proxy ready'
  );
  handleSignals(proxy, logger, config.shutdownTimeoutMs);
  return -1;
}

/**
 * SIGTERM/SIGINT: stop accepting connections and let in-flight requests finish, for at most
 * `timeoutMs`, then exit 0 (or 1 when requests were still running, so an orchestrator sees it).
 * A second signal exits at once. SIGHUP re-reads the TLS certificate, as renewal hooks expect.
 */
function handleSignals(proxy: RunningProxy, logger: Logger, timeoutMs: number): void {
  let stopping = false;
  let firstSignalAt = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    // A worker gets the signal twice when it went to the process group and the primary forwards it.
    if (stopping && isClusterWorker() && Date.now() - firstSignalAt < 2000) {
      return;
    }
    if (stopping) {
      logger.warn({ signal }, 'shutdown: second signal, exiting without waiting');
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    firstSignalAt = Date.now();
    logger.info({ signal, timeoutMs }, 'shutdown: refusing new connections, waiting for in-flight requests');
    closeWithin(proxy, timeoutMs).then(
      (closed) => {
        if (closed) {
          logger.info('shutdown complete');
          process.exit(0);
        }
        logger.error({ timeoutMs }, 'shutdown timed out with requests still running; exiting');
        process.exit(EXIT_FAILURE);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(EXIT_FAILURE);
      }
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP' }, 'reloading the TLS certificate');
    proxy.reloadTls();
  });
}

main().then(
  (code) => {
    if (code >= 0) {
      process.exit(code);
    }
  },
  (error: unknown) => {
    process.stderr.write(`simviz-proxy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT_FAILURE);
  }
);
