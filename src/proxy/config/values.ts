import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The proxy's settings, their defaults and the checks shared by every source (config file,
 * environment, command line). Each check throws a ConfigError whose message starts with the
 * source at fault, so a user knows which key, variable or option to fix.
 */

export const DEFAULT_PORT = 9800;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_CACHE_DIR = path.join(tmpdir(), 'simviz-proxy-cache');
const GIB = 1024 ** 3;
export const DEFAULT_CACHE_MAX_BYTES = 2 * GIB;
/** Query answers kept in memory per process (see query/response-cache.ts). */
export const DEFAULT_RESPONSE_CACHE_BYTES = 64 * 1024 ** 2;
export const DEFAULT_UPLOAD_MAX_BYTES = 2 * GIB;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** The data root the upload folder becomes; part of the ids of uploaded files. */
export const UPLOADS_ROOT_NAME = 'uploads';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SCOPES = ['read', 'write'] as const;
/** What an API key may do: `read` lists and queries, `write` uploads (and implies read). */
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  key: string;
  scopes: Scope[];
}

export interface TlsFiles {
  /** PEM certificate chain, leaf first. */
  cert: string;
  /** PEM private key of the leaf certificate. */
  key: string;
}

/** A configuration mistake; the message names the option, variable or key at fault. */
export class ConfigError extends Error {}

/** A data root as given (`NAME=DIR`, `DIR` or a file entry), resolved once its source wins. */
export interface RootSpec {
  name?: string;
  dir: string;
  /** The entry as written, for error messages. */
  given: string;
  /** Relative directories are resolved against this one. */
  baseDir: string;
  /** Names the entry in error messages, e.g. `--data` or `config simviz.yaml: data[1]`. */
  source: string;
}

/** A path setting with the source it came from, checked once its source wins. */
export interface SourcedPath {
  path: string;
  source: string;
}

/** Settings from one source, each value already checked; absent keys leave lower sources in force. */
export interface Layer {
  roots?: RootSpec[];
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  cacheDir?: string;
  cacheMaxBytes?: number;
  responseCacheBytes?: number;
  apiKeys?: ApiKey[];
  uploadDir?: SourcedPath;
  uploadMaxBytes?: number;
  metricsProtected?: boolean;
  corsOrigins?: string[];
  tlsCert?: SourcedPath;
  tlsKey?: SourcedPath;
  shutdownTimeoutMs?: number;
  watch?: WatchMode;
  settleMs?: number;
  workers?: number;
  regressionTolerances?: RegressionDefaults;
}

/** The operator's default tolerances of the regression check (`regression.tolerances` in the config file). */
export interface RegressionDefaults {
  absolute?: number;
  relative?: number;
  relativeTo?: 'range' | 'value';
  time?: number | null;
}

export const WATCH_MODES = ['on', 'off', 'poll'] as const;
/** `on`: file-system events; `poll`: stat the files periodically (NFS/SMB shares); `off`: scan at start only. */
export type WatchMode = (typeof WATCH_MODES)[number];
export const DEFAULT_SETTLE_MS = 3000;

export function parseWatchMode(value: string, source: string): WatchMode {
  const mode = WATCH_MODES.find((m) => m === value.trim());
  if (!mode) {
    throw new ConfigError(`${source}: "${value}" is not one of ${WATCH_MODES.join(', ')}`);
  }
  return mode;
}

/** A number of worker processes, or `auto` for one per CPU the process may use. */
export function parseWorkers(value: string, source: string): number {
  const trimmed = value.trim();
  if (trimmed === 'auto') {
    return availableParallelism();
  }
  const workers = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || workers < 1 || workers > 256) {
    throw new ConfigError(`${source}: "${value}" is not a number of workers (1-256, or auto)`);
  }
  return workers;
}

export function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(`${source}: "${value}" is not a TCP port (0-65535)`);
  }
  return port;
}

export function parseLogLevel(value: string, source: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) {
    throw new ConfigError(`${source}: "${value}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

export function parseScope(value: string, source: string): Scope {
  const scope = SCOPES.find((s) => s === value);
  if (!scope) {
    throw new ConfigError(`${source}: "${value}" is not one of ${SCOPES.join(', ')}`);
  }
  return scope;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `2147483648`, `2GiB`, `500 MB`, `1.5GiB`: sizes are easier to get right with a unit. */
export function parseByteSize(value: string, source: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? BYTE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new ConfigError(`${source}: "${value}" is not a size (e.g. 2147483648, 500MB, 2GiB)`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) {
    throw new ConfigError(`${source}: "${value}" is too large`);
  }
  return bytes;
}

/** Seconds, fractions allowed, as people think of timeouts; kept in milliseconds. */
export function parseSeconds(value: string, source: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(seconds)) {
    throw new ConfigError(`${source}: "${value}" is not a number of seconds`);
  }
  return Math.round(seconds * 1000);
}

export function parseBoolean(value: string, source: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) {
    return true;
  }
  if (['0', 'false', 'no', 'off'].includes(normalized)) {
    return false;
  }
  throw new ConfigError(`${source}: "${value}" is not a boolean (true or false)`);
}

/**
 * An origin as browsers send it in the `Origin` header: scheme, host and optional port, nothing
 * else. A path or a trailing slash would never match, so they are rejected rather than ignored.
 */
export function parseOrigin(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== value) {
    throw new ConfigError(`${source}: "${value}" is not an origin (scheme://host[:port], no path or trailing slash)`);
  }
  return value;
}

/** Bearer tokens are single words; whitespace would make a key impossible to send. */
export function checkKey(key: string, source: string): string {
  if (key.length === 0) {
    throw new ConfigError(`${source}: an API key must not be empty`);
  }
  if (/\s/.test(key)) {
    throw new ConfigError(`${source}: an API key must not contain whitespace`);
  }
  return key;
}

/** Read keys and read+write keys from one source; a key listed twice gets the union of its scopes. */
export function keysFromLists(readKeys: readonly string[], writeKeys: readonly string[], readSource: string, writeSource: string): ApiKey[] {
  const keys: ApiKey[] = [];
  const add = (key: string, scopes: readonly Scope[]) => mergeKey(keys, { key, scopes: [...scopes] });
  readKeys.forEach((key) => add(checkKey(key, readSource), ['read']));
  writeKeys.forEach((key) => add(checkKey(key, writeSource), ['read', 'write']));
  return keys;
}

export function mergeKey(keys: ApiKey[], next: ApiKey): void {
  const existing = keys.find((k) => k.key === next.key);
  if (!existing) {
    keys.push({ key: next.key, scopes: [...new Set(next.scopes)] });
    return;
  }
  existing.scopes = SCOPES.filter((s) => existing.scopes.includes(s) || next.scopes.includes(s));
}

export function splitList(value: string | undefined, separator: string): string[] {
  return (value ?? '')
    .split(separator)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `NAME=DIR` or `DIR`, as on the command line and in SIMVIZ_DATA. */
export function rootSpecFromString(spec: string, source: string, baseDir: string): RootSpec {
  const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(spec);
  return match ? { name: match[1], dir: match[2], given: spec, baseDir, source } : { dir: spec, given: spec, baseDir, source };
}
