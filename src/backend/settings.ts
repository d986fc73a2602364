/**
 * The datasource's settings as the backend receives them (jsonData bytes and decrypted secrets),
 * checked at the edge: a mistake in them becomes one clear message for Save & test and every query.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { TIME_AXES, type TimeAxis } from '../datasource/types';
import type { DataSourceInstanceSettingsMessage } from './grpc/messages';

export const DEFAULT_PROXY_TIMEOUT_S = 30;

export type Connection =
  | { mode: 'folder'; folder: string; cacheFolder: string }
  | { mode: 'proxy'; proxyUrl: string; apiKey: string | undefined; timeoutMs: number };

export interface BackendSettings {
  uid: string;
  name: string;
  /** Changes whenever the settings are saved: an instance is kept for one version of them. */
  version: string;
  connection: Connection;
  defaultTimeAxis: TimeAxis;
}

export class SettingsError extends Error {}

type Json = Record<string, unknown>;

function parseJsonData(bytes: Buffer): Json {
  if (bytes.length === 0) {
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new SettingsError(`the datasource settings are not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SettingsError('the datasource settings are not a JSON object');
  }
  return value as Json;
}

function optionalString(json: Json, key: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new SettingsError(`the setting ${key} must be text, not ${JSON.stringify(value)}`);
  }
  return value.trim();
}

/** Datasources saved before the folder mode have a proxy URL and no mode: they stay proxy datasources. */
function modeOf(json: Json): 'folder' | 'proxy' {
  const mode = optionalString(json, 'mode');
  if (mode === undefined) {
    return optionalString(json, 'proxyUrl') ? 'proxy' : 'folder';
  }
  if (mode !== 'folder' && mode !== 'proxy') {
    throw new SettingsError(`unknown connection mode "${mode}" (folder or proxy)`);
  }
  return mode;
}

function timeoutMs(json: Json): number {
  const value = json.timeout;
  if (value === undefined || value === null || value === '') {
    return DEFAULT_PROXY_TIMEOUT_S * 1000;
  }
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new SettingsError(`the timeout must be a positive number of seconds, not ${JSON.stringify(value)}`);
  }
  return seconds * 1000;
}

/** Without a cache folder of its own, each datasource keeps its layouts and index under the system's temporary folder. */
function defaultCacheFolder(uid: string): string {
  const safe = uid.replace(/[^A-Za-z0-9_-]/g, '_') || createHash('sha256').update(uid).digest('hex').slice(0, 16);
  return path.join(tmpdir(), 'simviz-backend', safe);
}

function connectionOf(json: Json, secure: Record<string, string>, uid: string): Connection {
  if (modeOf(json) === 'proxy') {
    const proxyUrl = optionalString(json, 'proxyUrl');
    if (!proxyUrl) {
      throw new SettingsError('set the SimViz proxy URL first, e.g. http://simviz-proxy:9800');
    }
    if (!/^https?:\/\/[^/]/.test(proxyUrl)) {
      throw new SettingsError(`the SimViz proxy URL must start with http:// or https://, not "${proxyUrl}"`);
    }
    return { mode: 'proxy', proxyUrl, apiKey: secure.apiKey || undefined, timeoutMs: timeoutMs(json) };
  }
  const folder = optionalString(json, 'folder');
  if (!folder) {
    throw new SettingsError('set the folder of result files on the Grafana server first, e.g. /var/lib/simviz/results');
  }
  if (!path.isAbsolute(folder.replace(/^[^=/]+=/, ''))) {
    throw new SettingsError(`the folder must be an absolute path on the Grafana server, not "${folder}"`);
  }
  const cacheFolder = optionalString(json, 'cacheFolder') ?? defaultCacheFolder(uid);
  if (!path.isAbsolute(cacheFolder)) {
    throw new SettingsError(`the cache folder must be an absolute path on the Grafana server, not "${cacheFolder}"`);
  }
  return { mode: 'folder', folder, cacheFolder };
}

function timeAxisOf(json: Json): TimeAxis {
  const axis = optionalString(json, 'defaultTimeAxis');
  if (axis === undefined) {
    return 'simulation';
  }
  const known = TIME_AXES.find((candidate) => candidate === axis);
  if (!known) {
    throw new SettingsError(`unknown default time axis "${axis}" (one of ${TIME_AXES.join(', ')})`);
  }
  return known;
}

export function parseSettings(message: DataSourceInstanceSettingsMessage): BackendSettings {
  const json = parseJsonData(message.jsonData);
  const secure = message.decryptedSecureJsonData ?? {};
  const fingerprint = createHash('sha256')
    .update(message.jsonData)
    .update(JSON.stringify(Object.entries(secure).sort()))
    .digest('hex');
  return {
    uid: message.uid,
    name: message.name,
    version: `${message.lastUpdatedMS}:${fingerprint}`,
    connection: connectionOf(json, secure, message.uid),
    defaultTimeAxis: timeAxisOf(json),
  };
}
