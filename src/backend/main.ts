/**
 * The backend executable Grafana starts (dist/datasource/gpx_simviz_<os>_<arch>): checks that a
 * go-plugin host launched it, serves gRPC, and prints go-plugin's handshake line, the only thing
 * it ever writes to stdout.
 */
import { PROXY_VERSION } from '../engine/version';
import { createBackendLogger, logLevelFromEnv } from './logger';
import { startBackend, type PortRange } from './server';

/** go-plugin's core protocol, and the app protocol Grafana's backend plugins speak (grpcplugin.ProtocolVersion). */
const CORE_PROTOCOL = 1;
const APP_PROTOCOL = 2;
const MAGIC_COOKIE_KEY = 'grafana_plugin_type';
const MAGIC_COOKIE_VALUE = 'datasource';
/** The host kills the process two seconds after Shutdown; finish well before. */
const SHUTDOWN_GRACE_MS = 1500;

function portRange(env: NodeJS.ProcessEnv): PortRange | undefined {
  const min = Number(env.PLUGIN_MIN_PORT);
  const max = Number(env.PLUGIN_MAX_PORT);
  return Number.isInteger(min) && Number.isInteger(max) && min > 0 && max >= min ? { min, max } : undefined;
}

function hostProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return 'This is the SimViz datasource backend, a Grafana plugin: Grafana starts it. Install the plugin in Grafana instead of running this file.';
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(APP_PROTOCOL)).split(',').map((v) => v.trim());
  if (!versions.includes(String(APP_PROTOCOL))) {
    return `The host speaks plugin protocol ${versions.join(', ')}; SimViz speaks ${APP_PROTOCOL} (Grafana 7 and later).`;
  }
  return undefined;
}

async function main(): Promise<void> {
  const problem = hostProblem(process.env);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
  // Anything a library prints must not corrupt the handshake on stdout.
  console.log = console.error;
  console.info = console.error;
  const logger = createBackendLogger(logLevelFromEnv(process.env));
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ reason }, 'SimViz backend stopping');
    backend
      .then((running) => running.stop(SHUTDOWN_GRACE_MS))
      .catch((error: unknown) => logger.error({ err: error }, 'stopping failed'))
      .finally(() => process.exit(0));
  };
  const backend = startBackend(logger, { ports: portRange(process.env), onShutdown: () => shutdown('Shutdown from the host') });
  const running = await backend;
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A Ctrl-C in Grafana's terminal reaches the whole process group: the host decides when plugins stop.
  process.on('SIGINT', () => logger.debug('SIGINT ignored: Grafana stops its plugins itself'));
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception; still serving'));
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection; still serving'));
  process.stdout.write(`${CORE_PROTOCOL}|${APP_PROTOCOL}|tcp|127.0.0.1:${running.port}|grpc\n`);
  logger.info({ version: PROXY_VERSION, port: running.port, pid: process.pid }, 'SimViz backend serving');
}

main().catch((error: unknown) => {
  process.stderr.write(`SimViz backend failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
