#!/usr/bin/env node
import { ConfigError, parseCommandLine, USAGE } from './config';
import { createLogger, startProxy } from './main';
import { PROXY_VERSION } from './version';

async function main(): Promise<number> {
  let action;
  try {
    action = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`simviz-proxy: ${error.message}\n\n${USAGE}\n`);
      return 2;
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
  const proxy = await startProxy(config, logger);
  logger.info(
    { url: proxy.url, roots: config.roots, simulations: proxy.catalog.size, auth: config.apiKeys.length > 0 },
    'SimViz proxy ready'
  );
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down after in-flight requests');
    proxy.close().then(
      () => process.exit(0),
      () => process.exit(1)
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) {
      process.exit(code);
    }
  },
  (error: unknown) => {
    process.stderr.write(`simviz-proxy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
);
