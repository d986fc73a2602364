import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino, { type Logger } from 'pino';

import type { DataRoot } from '../../src/engine/catalog/scan';
import {
  DEFAULT_CACHE_MAX_BYTES,
  DEFAULT_RESPONSE_CACHE_BYTES,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_UPLOAD_MAX_BYTES,
  type ApiKey,
  type ProxyConfig,
} from '../../src/proxy/config/config';
import { startProxy, type RunningProxy, type StartOptions } from '../../src/proxy/main';

/** A configuration for tests: loopback, any free port, no keys, its own cache folder, no watching. */
export function testConfig(roots: DataRoot[], overrides: Partial<ProxyConfig> = {}): ProxyConfig {
  return {
    roots,
    port: 0,
    host: '127.0.0.1',
    apiKeys: [],
    logLevel: 'silent',
    cacheDir: overrides.cacheDir ?? mkdtempSync(path.join(tmpdir(), 'simviz-test-cache-')),
    cacheMaxBytes: DEFAULT_CACHE_MAX_BYTES,
    responseCacheBytes: DEFAULT_RESPONSE_CACHE_BYTES,
    uploadMaxBytes: DEFAULT_UPLOAD_MAX_BYTES,
    metrics: { protected: false },
    cors: { origins: [] },
    shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS,
    // Tests write their files just before starting: without watching and settling, they are
    // described at once as they are. Tests of watching turn it on.
    watch: 'off',
    settleMs: 0,
    workers: 1,
    regressionTolerances: {},
    ...overrides,
  };
}

export interface TestProxyOptions extends StartOptions {
  /** Settings besides roots and keys. */
  config?: Partial<ProxyConfig>;
  /** Defaults to a logger that is silent unless SIMVIZ_TEST_LOG names a level. */
  logger?: Logger;
}

/**
 * The real proxy on a free loopback port, quiet unless SIMVIZ_TEST_LOG is set. A plain string key
 * may read (as `--api-key`); give `{ key, scopes: ['read', 'write'] }` for a key that may upload.
 * Its cache folder is fresh, and removed on close unless the test chose its own.
 */
export async function startTestProxy(
  roots: DataRoot[],
  apiKeys: ReadonlyArray<string | ApiKey> = [],
  options: TestProxyOptions = {}
): Promise<RunningProxy> {
  const logger = options.logger ?? pino({ level: process.env.SIMVIZ_TEST_LOG ?? 'silent' });
  const keys = apiKeys.map((key): ApiKey => (typeof key === 'string' ? { key, scopes: ['read'] } : key));
  const config = testConfig(roots, { apiKeys: keys, ...options.config });
  const ownCache = options.config?.cacheDir === undefined;
  const proxy = await startProxy(config, logger, options);
  const close = proxy.close;
  return {
    ...proxy,
    close: async () => {
      await close();
      if (ownCache) {
        await rm(config.cacheDir, { recursive: true, force: true });
      }
    },
  };
}

export interface JsonResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON request against a running proxy. */
export async function requestJson<T = unknown>(
  proxy: Pick<RunningProxy, 'url'>,
  route: string,
  init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {}
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) {
    headers.authorization = `Bearer ${init.key}`;
  }
  if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${proxy.url}${route}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}
