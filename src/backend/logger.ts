/**
 * Logs as hclog JSON lines on stderr, which go-plugin (and so Grafana) reads into its own log at
 * the right level: `@level` and `@message` as strings, `@timestamp` with microseconds as go-plugin
 * parses it. stdout belongs to the handshake line.
 */
import pino, { type Logger } from 'pino';

const HCLOG_LEVELS: Record<string, string> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warn', error: 'error', fatal: 'error' };

/** `2026-12-07T05:27:03.123000Z`: go-plugin's layout wants six fractional digits. */
function hclogTimestamp(): string {
  return `,"@timestamp":"${new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')}"`;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export function createBackendLogger(level: LogLevel = 'info', destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: { '@module': 'simviz' },
      messageKey: '@message',
      timestamp: hclogTimestamp,
      formatters: { level: (label) => ({ '@level': HCLOG_LEVELS[label] ?? 'info' }) },
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'apiKey', '*.apiKey'], censor: '[redacted]' },
    },
    destination
  );
}

/** SIMVIZ_LOG_LEVEL in the plugin's environment (default info); Grafana filters by its own level on top. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const wanted = env.SIMVIZ_LOG_LEVEL;
  const levels: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];
  return levels.find((level) => level === wanted) ?? 'info';
}
