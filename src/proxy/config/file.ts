import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import {
  ConfigError,
  checkKey,
  mergeKey,
  parseBoolean,
  parseByteSize,
  parseLogLevel,
  parseOrigin,
  parsePort,
  parseScope,
  parseSeconds,
  parseWatchMode,
  parseWorkers,
  rootSpecFromString,
  type ApiKey,
  type Layer,
  type RootSpec,
  type Scope,
  type RegressionDefaults,
} from './values';

/**
 * The YAML config file (`--config FILE` / SIMVIZ_CONFIG). Every key is optional; unknown keys are
 * errors, so a typo never silently leaves a default in force. Relative paths are relative to the
 * file's folder, so a config file and the folders it names can move together.
 */

type Mapping = Record<string, unknown>;

const TOP_LEVEL_KEYS = [
  'data',
  'port',
  'host',
  'logLevel',
  'cacheDir',
  'cacheMaxBytes',
  'responseCacheBytes',
  'apiKeys',
  'uploadDir',
  'uploadMaxBytes',
  'metrics',
  'cors',
  'tls',
  'shutdownTimeout',
  'watch',
  'settleTime',
  'workers',
  'regression',
] as const;

/** Reads and checks one config file; `label` is the path as the user gave it. */
export function readConfigFile(file: string, label: string = file): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`config ${label}: cannot read the file (${errorCode(error)})`);
  }
  return parseConfigText(text, label, path.dirname(path.resolve(file)));
}

/** Parses config text; relative paths in it are resolved against `baseDir`. */
export function parseConfigText(text: string, label: string, baseDir: string): Layer {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(`config ${label}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  return new FileReader(label, baseDir).read(document ?? {});
}

class FileReader {
  constructor(
    private readonly label: string,
    private readonly baseDir: string
  ) {}

  read(document: unknown): Layer {
    const fields = this.mapping(document, '', TOP_LEVEL_KEYS);
    const layer: Layer = {};
    const text = (key: string) => this.scalarText(fields[key], key);
    if (fields.data !== undefined) {
      layer.roots = this.list(fields.data, 'data').map((entry, i) => this.root(entry, `data[${i}]`));
    }
    if (fields.port !== undefined) {
      layer.port = parsePort(text('port'), this.where('port'));
    }
    if (fields.host !== undefined) {
      layer.host = this.string(fields.host, 'host');
    }
    if (fields.logLevel !== undefined) {
      layer.logLevel = parseLogLevel(text('logLevel'), this.where('logLevel'));
    }
    if (fields.cacheDir !== undefined) {
      layer.cacheDir = this.path(fields.cacheDir, 'cacheDir');
    }
    if (fields.cacheMaxBytes !== undefined) {
      layer.cacheMaxBytes = parseByteSize(text('cacheMaxBytes'), this.where('cacheMaxBytes'));
    }
    if (fields.responseCacheBytes !== undefined) {
      layer.responseCacheBytes = parseByteSize(text('responseCacheBytes'), this.where('responseCacheBytes'));
    }
    if (fields.apiKeys !== undefined) {
      layer.apiKeys = this.apiKeys(fields.apiKeys);
    }
    if (fields.uploadDir !== undefined) {
      layer.uploadDir = { path: this.path(fields.uploadDir, 'uploadDir'), source: this.where('uploadDir') };
    }
    if (fields.uploadMaxBytes !== undefined) {
      layer.uploadMaxBytes = parseByteSize(text('uploadMaxBytes'), this.where('uploadMaxBytes'));
    }
    if (fields.shutdownTimeout !== undefined) {
      layer.shutdownTimeoutMs = parseSeconds(text('shutdownTimeout'), this.where('shutdownTimeout'));
    }
    if (fields.watch !== undefined) {
      // YAML reads a bare `off` / `on` as a boolean.
      const watch = typeof fields.watch === 'boolean' ? (fields.watch ? 'on' : 'off') : text('watch');
      layer.watch = parseWatchMode(watch, this.where('watch'));
    }
    if (fields.settleTime !== undefined) {
      layer.settleMs = parseSeconds(text('settleTime'), this.where('settleTime'));
    }
    if (fields.workers !== undefined) {
      layer.workers = parseWorkers(text('workers'), this.where('workers'));
    }
    this.readSections(fields, layer);
    return layer;
  }

  /** The nested sections: metrics, cors and tls. */
  private readSections(fields: Mapping, layer: Layer): void {
    if (fields.metrics !== undefined) {
      const metrics = this.mapping(fields.metrics, 'metrics', ['protected']);
      if (metrics.protected !== undefined) {
        layer.metricsProtected = parseBoolean(this.scalarText(metrics.protected, 'metrics.protected'), this.where('metrics.protected'));
      }
    }
    if (fields.cors !== undefined) {
      const cors = this.mapping(fields.cors, 'cors', ['origins']);
      if (cors.origins !== undefined) {
        layer.corsOrigins = this.list(cors.origins, 'cors.origins').map((origin, i) =>
          parseOrigin(this.string(origin, `cors.origins[${i}]`), this.where(`cors.origins[${i}]`))
        );
      }
    }
    if (fields.regression !== undefined) {
      layer.regressionTolerances = this.regression(fields.regression);
    }
    if (fields.tls !== undefined) {
      const tls = this.mapping(fields.tls, 'tls', ['cert', 'key']);
      if (tls.cert !== undefined) {
        layer.tlsCert = { path: this.path(tls.cert, 'tls.cert'), source: this.where('tls.cert') };
      }
      if (tls.key !== undefined) {
        layer.tlsKey = { path: this.path(tls.key, 'tls.key'), source: this.where('tls.key') };
      }
    }
  }

  /** `regression: {tolerances: {absolute, relative, relativeTo, time}}`: numbers of at least 0 (relative at most 1). */
  private regression(value: unknown): RegressionDefaults {
    const section = this.mapping(value, 'regression', ['tolerances']);
    if (section.tolerances === undefined) {
      return {};
    }
    const fields = this.mapping(section.tolerances, 'regression.tolerances', ['absolute', 'relative', 'relativeTo', 'time']);
    const defaults: RegressionDefaults = {};
    for (const key of ['absolute', 'relative', 'time'] as const) {
      if (fields[key] === undefined) {
        continue;
      }
      const where = `regression.tolerances.${key}`;
      const number = Number(this.scalarText(fields[key], where));
      if (!Number.isFinite(number) || number < 0 || (key === 'relative' && number > 1)) {
        throw new ConfigError(`${this.where(where)}: ${String(fields[key])} is not a number ${key === 'relative' ? 'from 0 to 1' : 'of at least 0'}`);
      }
      defaults[key] = number;
    }
    if (fields.relativeTo !== undefined) {
      const relativeTo = this.scalarText(fields.relativeTo, 'regression.tolerances.relativeTo');
      if (relativeTo !== 'range' && relativeTo !== 'value') {
        throw new ConfigError(`${this.where('regression.tolerances.relativeTo')}: "${relativeTo}" is not one of range, value`);
      }
      defaults.relativeTo = relativeTo;
    }
    return defaults;
  }

  /** `NAME=DIR`, `DIR`, or `{name, path}`. */
  private root(entry: unknown, key: string): RootSpec {
    if (typeof entry === 'string') {
      return rootSpecFromString(entry, this.where(key), this.baseDir);
    }
    const fields = this.mapping(entry, key, ['name', 'path']);
    const dir = this.string(fields.path, `${key}.path`);
    const name = fields.name === undefined ? undefined : this.string(fields.name, `${key}.name`);
    if (name !== undefined && !/^[A-Za-z0-9_.-]+$/.test(name)) {
      throw new ConfigError(`${this.where(`${key}.name`)}: "${name}" may only contain letters, digits, "_", "." and "-"`);
    }
    return { name, dir, given: dir, baseDir: this.baseDir, source: this.where(key) };
  }

  private apiKeys(value: unknown): ApiKey[] {
    const keys: ApiKey[] = [];
    this.list(value, 'apiKeys').forEach((entry, i) => mergeKey(keys, this.apiKey(entry, `apiKeys[${i}]`)));
    return keys;
  }

  /** `{key, scopes}` or `{keyFile, scopes}`; scopes default to read only, the safe choice. */
  private apiKey(entry: unknown, key: string): ApiKey {
    const fields = this.mapping(entry, key, ['key', 'keyFile', 'scopes']);
    if ((fields.key === undefined) === (fields.keyFile === undefined)) {
      throw new ConfigError(`${this.where(key)}: give exactly one of "key" and "keyFile"`);
    }
    const secret = fields.key !== undefined ? this.string(fields.key, `${key}.key`) : this.readKeyFile(fields.keyFile, `${key}.keyFile`);
    const scopes: Scope[] =
      fields.scopes === undefined
        ? ['read']
        : this.list(fields.scopes, `${key}.scopes`).map((scope, i) =>
            parseScope(this.scalarText(scope, `${key}.scopes[${i}]`), this.where(`${key}.scopes`))
          );
    if (scopes.length === 0) {
      throw new ConfigError(`${this.where(`${key}.scopes`)}: give at least one scope (read, write)`);
    }
    return { key: checkKey(secret, this.where(key)), scopes };
  }

  /** A key kept in its own file (e.g. a container secret); surrounding whitespace is not part of it. */
  private readKeyFile(value: unknown, key: string): string {
    const file = this.path(value, key);
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new ConfigError(`${this.where(key)}: cannot read "${file}" (${errorCode(error)})`);
    }
  }

  private where(key: string): string {
    return key ? `config ${this.label}: ${key}` : `config ${this.label}`;
  }

  private mapping(value: unknown, key: string, known: readonly string[]): Mapping {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`${this.where(key)}: expected a mapping of ${known.join(', ')}`);
    }
    const fields = value as Mapping;
    for (const name of Object.keys(fields)) {
      if (!known.includes(name)) {
        const at = key ? `${key}.${name}` : name;
        throw new ConfigError(`${this.where(at)}: unknown key (expected one of ${known.join(', ')})`);
      }
    }
    return fields;
  }

  private list(value: unknown, key: string): unknown[] {
    if (!Array.isArray(value)) {
      throw new ConfigError(`${this.where(key)}: expected a list`);
    }
    return value;
  }

  private string(value: unknown, key: string): string {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigError(`${this.where(key)}: expected a non-empty string`);
    }
    return value;
  }

  /** Numbers, booleans and strings as text, so one parser checks a value from any source. */
  private scalarText(value: unknown, key: string): string {
    if (typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    return this.string(value, key);
  }

  private path(value: unknown, key: string): string {
    return path.resolve(this.baseDir, this.string(value, key));
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
