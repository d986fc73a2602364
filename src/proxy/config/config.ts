import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { DataRoot } from '../../engine/catalog/scan';
import { readConfigFile } from './file';
import {
  ConfigError,
  DEFAULT_CACHE_DIR,
  DEFAULT_CACHE_MAX_BYTES,
  DEFAULT_RESPONSE_CACHE_BYTES,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SETTLE_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_UPLOAD_MAX_BYTES,
  LOG_LEVELS,
  UPLOADS_ROOT_NAME,
  keysFromLists,
  parseBoolean,
  parseByteSize,
  parseLogLevel,
  parseOrigin,
  parsePort,
  parseSeconds,
  parseWatchMode,
  parseWorkers,
  rootSpecFromString,
  splitList,
  type ApiKey,
  type Layer,
  type LogLevel,
  type RootSpec,
  type SourcedPath,
  type TlsFiles,
  type WatchMode,
  type RegressionDefaults,
} from './values';
import { readTlsFiles, TlsLoadError } from '../http/tls';

export {
  ConfigError,
  DEFAULT_CACHE_DIR,
  DEFAULT_CACHE_MAX_BYTES,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_RESPONSE_CACHE_BYTES,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_UPLOAD_MAX_BYTES,
  SCOPES,
  UPLOADS_ROOT_NAME,
} from './values';
export type { ApiKey, LogLevel, Scope, TlsFiles, WatchMode } from './values';

export interface ProxyConfig {
  /** The data roots, with the upload folder last (as root "uploads") when there is one. */
  roots: DataRoot[];
  port: number;
  host: string;
  /** Without keys every request gets every scope. */
  apiKeys: ApiKey[];
  logLevel: LogLevel;
  /** Rebuildable state: per-variable layouts of large result files. */
  cacheDir: string;
  /** Least recently used layouts are deleted above this size; 0 for no limit. */
  cacheMaxBytes: number;
  /** Query answers kept in memory per process; 0 keeps none. */
  responseCacheBytes: number;
  /** Writable folder for uploaded result files, also listed as the data root "uploads". */
  uploadDir?: string;
  /** Uploads above this size are refused. */
  uploadMaxBytes: number;
  metrics: {
    /** Whether /metrics needs an API key like the API routes (otherwise it is open). */
    protected: boolean;
  };
  cors: {
    /** Browser origins allowed to call the API directly; empty leaves CORS off. */
    origins: string[];
  };
  /** Serve HTTPS with these PEM files (reloaded on SIGHUP). */
  tls?: TlsFiles;
  /** How long a shutdown waits for in-flight requests before giving up. */
  shutdownTimeoutMs: number;
  /** How the data roots are watched for new, changed and removed files. */
  watch: WatchMode;
  /** A file is listed as `writing` until it has not changed for this long. */
  settleMs: number;
  /** Processes serving requests on the same port (1: this process alone). */
  workers: number;
  /** Default tolerances of the regression check; requests and sidecars override them. */
  regressionTolerances: RegressionDefaults;
}

export const USAGE = `Usage: simviz-proxy --data [NAME=]DIR [--data ...] [--config FILE] [options]

Serves the Dymola/OpenModelica result files under each DIR to the SimViz Grafana datasource.
Each setting comes from the options, else the environment [VARIABLE], else the config file
(keys in docs/operations.md), else its default.

  --config FILE            YAML config file [SIMVIZ_CONFIG]
  --data [NAME=]DIR        a data root, scanned recursively (repeatable). NAME defaults to the
                           folder name and is part of every simulation id: keep it stable.
                           [SIMVIZ_DATA, separated by "${path.delimiter}"]
  --port N                 TCP port, 0 for any free one (default ${DEFAULT_PORT}) [SIMVIZ_PORT]
  --host ADDR              listen address (default ${DEFAULT_HOST}; 0.0.0.0 for all) [SIMVIZ_HOST]
  --api-key KEY            accept "Authorization: Bearer KEY" for reading (repeatable); without
                           any key no authentication is required [SIMVIZ_API_KEYS, comma-separated]
  --write-api-key KEY      a key that may also upload (repeatable) [SIMVIZ_WRITE_API_KEYS]
  --log-level LEVEL        ${LOG_LEVELS.join(', ')} (default info) [SIMVIZ_LOG_LEVEL]
  --cache-dir DIR          index and per-variable layouts of large files; safe to delete
                           (default ${DEFAULT_CACHE_DIR}) [SIMVIZ_CACHE_DIR]
  --cache-max-bytes SIZE   layout cache limit, e.g. 20GiB; 0 for none (default 2GiB)
                           [SIMVIZ_CACHE_MAX_BYTES]
  --response-cache-bytes SIZE  query answers kept in memory per process; 0 for none
                           (default 64MiB) [SIMVIZ_RESPONSE_CACHE_BYTES]
  --upload-dir DIR         writable folder for uploads, listed as the data root "${UPLOADS_ROOT_NAME}"
                           [SIMVIZ_UPLOAD_DIR]
  --upload-max-bytes SIZE  largest accepted upload (default 2GiB) [SIMVIZ_UPLOAD_MAX_BYTES]
  --metrics-protected      /metrics needs an API key too (default: open) [SIMVIZ_METRICS_PROTECTED]
  --cors-origin ORIGIN     let browser pages from ORIGIN call the API (repeatable; default none)
                           [SIMVIZ_CORS_ORIGINS, comma-separated]
  --tls-cert FILE          serve HTTPS with this PEM certificate chain; SIGHUP re-reads it and
                           the key [SIMVIZ_TLS_CERT]
  --tls-key FILE           the PEM private key of --tls-cert [SIMVIZ_TLS_KEY]
  --shutdown-timeout S     seconds to let requests finish on SIGTERM (default ${DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000})
                           [SIMVIZ_SHUTDOWN_TIMEOUT]
  --watch MODE             on (file-system events), poll (for NFS/SMB shares) or off (scan at
                           start only) (default on) [SIMVIZ_WATCH]
  --settle-time S          seconds a file must stay unchanged before it is no longer "writing"
                           (default ${DEFAULT_SETTLE_MS / 1000}) [SIMVIZ_SETTLE_TIME]
  --workers N              processes serving requests on the same port, or auto for one per CPU
                           (default 1) [SIMVIZ_WORKERS]
  --help, --version`;

export type CliAction = { kind: 'run'; config: ProxyConfig } | { kind: 'help' } | { kind: 'version' };

const CLI_OPTIONS = {
  config: { type: 'string' },
  data: { type: 'string', multiple: true },
  port: { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  'write-api-key': { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  'cache-dir': { type: 'string' },
  'cache-max-bytes': { type: 'string' },
  'response-cache-bytes': { type: 'string' },
  'upload-dir': { type: 'string' },
  'upload-max-bytes': { type: 'string' },
  'metrics-protected': { type: 'boolean' },
  'cors-origin': { type: 'string', multiple: true },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
  watch: { type: 'string' },
  'settle-time': { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const;

type CliValues = ReturnType<typeof parseArgs<{ options: typeof CLI_OPTIONS; strict: true }>>['values'];

/** `NAME=DIR` or `DIR`; names keep ids stable when the folder is mounted elsewhere. */
export function parseRoots(specs: readonly string[], source: string, cwd = process.cwd()): DataRoot[] {
  return resolveRoots(specs.map((spec) => rootSpecFromString(spec, source, cwd)));
}

function resolveRoots(specs: readonly RootSpec[]): DataRoot[] {
  const roots: DataRoot[] = [];
  for (const spec of specs) {
    const directory = path.resolve(spec.baseDir, spec.dir);
    if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
      throw new ConfigError(`${spec.source}: "${spec.given}" is not a directory`);
    }
    const wanted = spec.name ?? (path.basename(directory) || 'data');
    let name = wanted;
    for (let n = 2; roots.some((r) => r.name === name); n++) {
      name = `${wanted}-${n}`;
    }
    roots.push({ name, path: directory });
  }
  return roots;
}

/**
 * Settings from the command line, over the environment (`env`), over the config file either names,
 * over the defaults. A higher source replaces a setting as a whole: `--data` replaces SIMVIZ_DATA's
 * roots, and any key option replaces every key from the environment and the file.
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): CliAction {
  let values: CliValues;
  try {
    values = parseArgs({ args: [...argv], options: CLI_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    return { kind: 'help' };
  }
  if (values.version) {
    return { kind: 'version' };
  }
  const layers: Layer[] = [];
  const configFile = values.config ?? envValue(env, 'SIMVIZ_CONFIG');
  if (configFile !== undefined) {
    layers.push(readConfigFile(path.resolve(cwd, configFile), configFile));
  }
  layers.push(environmentLayer(env, cwd), commandLineLayer(values, cwd));
  return { kind: 'run', config: resolveConfig(layers) };
}

/** An environment variable, with empty treated as unset (as `${VAR:-}` in compose files gives). */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function environmentLayer(env: NodeJS.ProcessEnv, cwd: string): Layer {
  const get = (name: string) => envValue(env, name);
  const parsed = <T>(name: string, parse: (value: string, source: string) => T): T | undefined => {
    const value = get(name);
    return value === undefined ? undefined : parse(value, name);
  };
  const sourcedPath = (name: string): SourcedPath | undefined => {
    const value = get(name);
    return value === undefined ? undefined : { path: path.resolve(cwd, value), source: name };
  };
  const readKeys = splitList(get('SIMVIZ_API_KEYS'), ',');
  const writeKeys = splitList(get('SIMVIZ_WRITE_API_KEYS'), ',');
  const roots = splitList(get('SIMVIZ_DATA'), path.delimiter).map((spec) => rootSpecFromString(spec, 'SIMVIZ_DATA', cwd));
  const origins = splitList(get('SIMVIZ_CORS_ORIGINS'), ',').map((origin) => parseOrigin(origin, 'SIMVIZ_CORS_ORIGINS'));
  return {
    roots: roots.length > 0 ? roots : undefined,
    port: parsed('SIMVIZ_PORT', parsePort),
    host: get('SIMVIZ_HOST'),
    logLevel: parsed('SIMVIZ_LOG_LEVEL', parseLogLevel),
    cacheDir: parsed('SIMVIZ_CACHE_DIR', (value) => path.resolve(cwd, value)),
    cacheMaxBytes: parsed('SIMVIZ_CACHE_MAX_BYTES', parseByteSize),
    responseCacheBytes: parsed('SIMVIZ_RESPONSE_CACHE_BYTES', parseByteSize),
    apiKeys:
      readKeys.length + writeKeys.length > 0 ? keysFromLists(readKeys, writeKeys, 'SIMVIZ_API_KEYS', 'SIMVIZ_WRITE_API_KEYS') : undefined,
    uploadDir: sourcedPath('SIMVIZ_UPLOAD_DIR'),
    uploadMaxBytes: parsed('SIMVIZ_UPLOAD_MAX_BYTES', parseByteSize),
    metricsProtected: parsed('SIMVIZ_METRICS_PROTECTED', parseBoolean),
    corsOrigins: origins.length > 0 ? origins : undefined,
    tlsCert: sourcedPath('SIMVIZ_TLS_CERT'),
    tlsKey: sourcedPath('SIMVIZ_TLS_KEY'),
    shutdownTimeoutMs: parsed('SIMVIZ_SHUTDOWN_TIMEOUT', parseSeconds),
    watch: parsed('SIMVIZ_WATCH', parseWatchMode),
    settleMs: parsed('SIMVIZ_SETTLE_TIME', parseSeconds),
    workers: parsed('SIMVIZ_WORKERS', parseWorkers),
  };
}

function commandLineLayer(values: CliValues, cwd: string): Layer {
  const parsed = <T>(value: string | undefined, option: string, parse: (value: string, source: string) => T): T | undefined =>
    value === undefined ? undefined : parse(value, option);
  const sourcedPath = (value: string | undefined, option: string): SourcedPath | undefined =>
    value === undefined ? undefined : { path: path.resolve(cwd, value), source: option };
  const readKeys = values['api-key'] ?? [];
  const writeKeys = values['write-api-key'] ?? [];
  return {
    roots: values.data?.map((spec) => rootSpecFromString(spec, '--data', cwd)),
    port: parsed(values.port, '--port', parsePort),
    host: values.host,
    logLevel: parsed(values['log-level'], '--log-level', parseLogLevel),
    cacheDir: values['cache-dir'] === undefined ? undefined : path.resolve(cwd, values['cache-dir']),
    cacheMaxBytes: parsed(values['cache-max-bytes'], '--cache-max-bytes', parseByteSize),
    responseCacheBytes: parsed(values['response-cache-bytes'], '--response-cache-bytes', parseByteSize),
    apiKeys: readKeys.length + writeKeys.length > 0 ? keysFromLists(readKeys, writeKeys, '--api-key', '--write-api-key') : undefined,
    uploadDir: sourcedPath(values['upload-dir'], '--upload-dir'),
    uploadMaxBytes: parsed(values['upload-max-bytes'], '--upload-max-bytes', parseByteSize),
    metricsProtected: values['metrics-protected'],
    corsOrigins: values['cors-origin']?.map((origin) => parseOrigin(origin, '--cors-origin')),
    tlsCert: sourcedPath(values['tls-cert'], '--tls-cert'),
    tlsKey: sourcedPath(values['tls-key'], '--tls-key'),
    shutdownTimeoutMs: parsed(values['shutdown-timeout'], '--shutdown-timeout', parseSeconds),
    watch: parsed(values.watch, '--watch', parseWatchMode),
    settleMs: parsed(values['settle-time'], '--settle-time', parseSeconds),
    workers: parsed(values.workers, '--workers', parseWorkers),
  };
}

/** The effective configuration: for each setting, the last layer that has it, else the default. */
export function resolveConfig(layers: readonly Layer[]): ProxyConfig {
  const pick = <K extends keyof Layer>(key: K): Layer[K] => {
    for (let i = layers.length - 1; i >= 0; i--) {
      if (layers[i][key] !== undefined) {
        return layers[i][key];
      }
    }
    return undefined;
  };
  const roots = resolveRoots(pick('roots') ?? []);
  const uploadDir = pick('uploadDir');
  if (uploadDir) {
    roots.push(uploadRoot(uploadDir, roots));
  }
  if (roots.length === 0) {
    throw new ConfigError('no data root: pass --data DIR or set SIMVIZ_DATA (or list "data" in the config file)');
  }
  return {
    roots,
    port: pick('port') ?? DEFAULT_PORT,
    host: pick('host') ?? DEFAULT_HOST,
    apiKeys: pick('apiKeys') ?? [],
    logLevel: pick('logLevel') ?? 'info',
    cacheDir: pick('cacheDir') ?? DEFAULT_CACHE_DIR,
    cacheMaxBytes: pick('cacheMaxBytes') ?? DEFAULT_CACHE_MAX_BYTES,
    responseCacheBytes: pick('responseCacheBytes') ?? DEFAULT_RESPONSE_CACHE_BYTES,
    uploadDir: uploadDir?.path,
    uploadMaxBytes: pick('uploadMaxBytes') ?? DEFAULT_UPLOAD_MAX_BYTES,
    metrics: { protected: pick('metricsProtected') ?? false },
    cors: { origins: pick('corsOrigins') ?? [] },
    tls: resolveTls(pick('tlsCert'), pick('tlsKey')),
    shutdownTimeoutMs: pick('shutdownTimeoutMs') ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    watch: pick('watch') ?? 'on',
    settleMs: pick('settleMs') ?? DEFAULT_SETTLE_MS,
    workers: pick('workers') ?? 1,
    regressionTolerances: pick('regressionTolerances') ?? {},
  };
}

/**
 * The upload folder as the data root "uploads": created if missing, writable, and apart from the
 * other roots (inside one, every upload would be listed twice).
 */
function uploadRoot(dir: SourcedPath, roots: readonly DataRoot[]): DataRoot {
  const named = roots.find((root) => root.name === UPLOADS_ROOT_NAME);
  if (named) {
    throw new ConfigError(
      `${dir.source}: the upload folder is listed as the data root "${UPLOADS_ROOT_NAME}", but ${named.path} already has that name; name that root differently (NAME=DIR)`
    );
  }
  const overlapping = roots.find((root) => isInside(root.path, dir.path) || isInside(dir.path, root.path));
  if (overlapping) {
    throw new ConfigError(
      `${dir.source}: "${dir.path}" overlaps the data root "${overlapping.name}" (${overlapping.path}); its files would be listed twice`
    );
  }
  try {
    mkdirSync(dir.path, { recursive: true });
    accessSync(dir.path, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(`${dir.source}: "${dir.path}" is not a writable directory (${code})`);
  }
  if (!statSync(dir.path).isDirectory()) {
    throw new ConfigError(`${dir.source}: "${dir.path}" is not a directory`);
  }
  return { name: UPLOADS_ROOT_NAME, path: dir.path };
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Both files or neither; checked now so a bad pair fails at start with exit code 2. */
function resolveTls(cert: SourcedPath | undefined, key: SourcedPath | undefined): TlsFiles | undefined {
  if (!cert && !key) {
    return undefined;
  }
  if (!cert || !key) {
    const source = (cert ?? key)?.source ?? 'tls';
    throw new ConfigError(`${source}: HTTPS needs both a certificate (--tls-cert) and its key (--tls-key)`);
  }
  const files = { cert: cert.path, key: key.path };
  try {
    readTlsFiles(files);
  } catch (error) {
    if (error instanceof TlsLoadError) {
      throw new ConfigError(`${error.file === 'key' ? key.source : cert.source}: ${error.message}`);
    }
    throw error;
  }
  return files;
}
