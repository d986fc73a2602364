import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';

import type { DataRoot } from '../catalog/scan';
import { startProxy, type RunningProxy } from '../main';

/** The real proxy on a free loopback port, quiet unless SIMVIZ_TEST_LOG is set. */
export function startTestProxy(roots: DataRoot[], apiKeys: string[] = []): Promise<RunningProxy> {
  const logger = pino({ level: process.env.SIMVIZ_TEST_LOG ?? 'silent' });
  return startProxy({ roots, port: 0, host: '127.0.0.1', apiKeys, logLevel: 'silent', cacheDir: path.join(tmpdir(), 'simviz-test-cache') }, logger);
}

export interface JsonResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON request against a running proxy. */
export async function requestJson<T = unknown>(
  proxy: RunningProxy,
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
