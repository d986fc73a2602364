import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { DataRoot } from './catalog/scan';

export const DEFAULT_PORT = 9800;
export const DEFAULT_HOST = '127.0.0.1';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ProxyConfig {
  roots: DataRoot[];
  port: number;
  host: string;
  apiKeys: string[];
  logLevel: LogLevel;
  /** Rebuildable state: per-variable layouts of large result files. */
  cacheDir: string;
}

export const DEFAULT_CACHE_DIR = path.join(tmpdir(), 'simviz-proxy-cache');

/** A configuration mistake; the message names the option or variable at fault. */
export class ConfigError extends Error {}

export const USAGE = `Usage: simviz-proxy --data [NAME=]DIR [--data ...] [--port N] [--host ADDR] [--api-key KEY ...] [--log-level LEVEL]

Serves the Dymola/OpenModelica result files under each DIR to the SimViz Grafana datasource.

  --data [NAME=]DIR   a data root, scanned recursively (repeatable). NAME defaults to the folder name
                      and is part of every simulation id, so keep it stable.   env SIMVIZ_DATA (separated by "${path.delimiter}")
  --port N            TCP port, 0 for any free port (default ${DEFAULT_PORT}).             env SIMVIZ_PORT
  --host ADDR         address to listen on (default ${DEFAULT_HOST}; 0.0.0.0 for all).      env SIMVIZ_HOST
  --api-key KEY       accept "Authorization: Bearer KEY" (repeatable). Without keys, no
                      authentication is required.                                 env SIMVIZ_API_KEYS (comma-separated)
  --log-level LEVEL   ${LOG_LEVELS.join(', ')} (default info).            env SIMVIZ_LOG_LEVEL
  --cache-dir DIR     where per-variable layouts of large files are kept; safe to delete
                      (default ${DEFAULT_CACHE_DIR}).                          env SIMVIZ_CACHE_DIR
  --help, --version`;

export type CliAction = { kind: 'run'; config: ProxyConfig } | { kind: 'help' } | { kind: 'version' };

function splitList(value: string | undefined, separator: string): string[] {
  return (value ?? '')
    .split(separator)
    .map((item) => item.trim())
    .filter(Boolean);
}

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(`${source}: "${value}" is not a TCP port (0-65535)`);
  }
  return port;
}

function parseLogLevel(value: string, source: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) {
    throw new ConfigError(`${source}: "${value}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

/** `NAME=DIR` or `DIR`; names keep ids stable when the folder is mounted elsewhere. */
export function parseRoots(specs: readonly string[], source: string, cwd = process.cwd()): DataRoot[] {
  const roots: DataRoot[] = [];
  for (const spec of specs) {
    const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(spec);
    const directory = path.resolve(cwd, match ? match[2] : spec);
    const stats = statSync(directory, { throwIfNoEntry: false });
    if (!stats?.isDirectory()) {
      throw new ConfigError(`${source}: "${spec}" is not a directory`);
    }
    const wanted = match ? match[1] : path.basename(directory) || 'data';
    let name = wanted;
    for (let n = 2; roots.some((r) => r.name === name); n++) {
      name = `${wanted}-${n}`;
    }
    roots.push({ name, path: directory });
  }
  return roots;
}

/** Command-line options win over environment variables. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CliAction {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        data: { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'cache-dir': { type: 'string' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.help) {
    return { kind: 'help' };
  }
  if (parsed.version) {
    return { kind: 'version' };
  }
  const dataSpecs = parsed.data ?? splitList(env.SIMVIZ_DATA, path.delimiter);
  if (dataSpecs.length === 0) {
    throw new ConfigError('no data root: pass --data DIR or set SIMVIZ_DATA');
  }
  const config: ProxyConfig = {
    roots: parseRoots(dataSpecs, parsed.data ? '--data' : 'SIMVIZ_DATA'),
    port: parsed.port !== undefined ? parsePort(parsed.port, '--port') : env.SIMVIZ_PORT ? parsePort(env.SIMVIZ_PORT, 'SIMVIZ_PORT') : DEFAULT_PORT,
    host: parsed.host ?? env.SIMVIZ_HOST ?? DEFAULT_HOST,
    apiKeys: parsed['api-key'] ?? splitList(env.SIMVIZ_API_KEYS, ','),
    logLevel: parsed['log-level']
      ? parseLogLevel(parsed['log-level'], '--log-level')
      : env.SIMVIZ_LOG_LEVEL
        ? parseLogLevel(env.SIMVIZ_LOG_LEVEL, 'SIMVIZ_LOG_LEVEL')
        : 'info',
    cacheDir: path.resolve(parsed['cache-dir'] ?? env.SIMVIZ_CACHE_DIR ?? DEFAULT_CACHE_DIR),
  };
  return { kind: 'run', config };
}
