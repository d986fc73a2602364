import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';

import type { ErrorBody, SimulationPage } from '../../shared/api';
import { Catalog } from '../../engine/catalog/catalog';
import type { DataRoot } from '../../engine/catalog/scan';
import type { ApiKey } from '../config/config';
import { createLogger, startProxy, type RunningProxy } from '../main';
import { requestJson, startTestProxy, testConfig } from '../../../tests/support/proxy';
import { smallRoot } from '../../../tests/support/roots';
import type { App } from './app';
import { requireScope } from './auth';
import { buildServer } from './server';

const READ_KEY = 'reader-0123456789abcdef';
const WRITE_KEY = 'writer-0123456789abcdef';
const WRITE_ONLY_KEY = 'writeonly-0123456789abcdef';
const KEYS: ApiKey[] = [
  { key: READ_KEY, scopes: ['read'] },
  { key: WRITE_KEY, scopes: ['read', 'write'] },
  { key: WRITE_ONLY_KEY, scopes: ['write'] },
];

let root: DataRoot;

beforeAll(async () => {
  root = await smallRoot();
});
afterAll(() => rm(root.path, { recursive: true, force: true }));

/** Log lines as the proxy writes them, to look for secrets in. */
class CapturedLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/** A real server with one extra route that needs `write`, as upload routes will; on a free loopback port. */
async function serverWithWriteRoute(keys: ApiKey[], log = new CapturedLog()): Promise<{ app: App; url: string; log: CapturedLog }> {
  const logger = createLogger('trace', log);
  const catalog = new Catalog([root], logger);
  await catalog.start();
  const app = buildServer({ catalog, logger, apiKeys: keys });
  app.addHook('onClose', () => catalog.close());
  app.register(async (scoped) => {
    scoped.post('/api/v1/test-upload', { preHandler: requireScope('write') }, async () => ({ stored: true }));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, log };
}

async function call(url: string, key?: string, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
  return { status: response.status, body: await response.json() };
}

describe('API key scopes', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await startTestProxy([root], KEYS);
  });
  afterAll(() => proxy.close());

  it('lets every key read, write-only keys included (write implies read)', async () => {
    for (const key of [READ_KEY, WRITE_KEY, WRITE_ONLY_KEY]) {
      const { status, body } = await requestJson<SimulationPage>(proxy, '/api/v1/simulations', { key });
      expect(status).toBe(200);
      expect(body.total).toBe(1);
    }
  });

  it('keeps health, ready and metrics open, and everything else closed', async () => {
    expect((await requestJson(proxy, '/api/v1/health')).status).toBe(200);
    expect((await requestJson(proxy, '/api/v1/ready')).status).toBe(200);
    expect((await fetch(`${proxy.url}/metrics`)).status).toBe(200);
    // An invalid key on an open route changes nothing: probes are never refused.
    expect((await requestJson(proxy, '/api/v1/health', { key: 'wrong' })).status).toBe(200);
    const closed = await requestJson<ErrorBody>(proxy, '/api/v1/simulations');
    expect(closed.status).toBe(401);
    expect(closed.headers.get('www-authenticate')).toBe('Bearer realm="simviz"');
  });

  it('answers 403 with the missing scope on routes that need write', async () => {
    const { app, url } = await serverWithWriteRoute(KEYS);
    try {
      const refused = await call(`${url}/api/v1/test-upload`, READ_KEY, 'POST');
      expect(refused).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'this API key lacks the "write" scope' } } });
      expect(await call(`${url}/api/v1/test-upload`, WRITE_KEY, 'POST')).toEqual({ status: 200, body: { stored: true } });
      expect(await call(`${url}/api/v1/test-upload`, WRITE_ONLY_KEY, 'POST')).toEqual({ status: 200, body: { stored: true } });
      // Authentication comes first: no key is 401, not 403.
      expect((await call(`${url}/api/v1/test-upload`, undefined, 'POST')).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('without keys', () => {
  it('grants every scope, and warns once at start', async () => {
    const { app, url, log } = await serverWithWriteRoute([]);
    try {
      expect((await call(`${url}/api/v1/simulations`)).status).toBe(200);
      expect(await call(`${url}/api/v1/test-upload`, undefined, 'POST')).toEqual({ status: 200, body: { stored: true } });
      const warnings = log.text.split('\n').filter((line) => line.includes('no API keys configured'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0])).toMatchObject({ level: 40 });
    } finally {
      await app.close();
    }
  });
});

describe('protected metrics', () => {
  it('needs a key for /metrics when metrics.protected is set', async () => {
    const proxy = await startTestProxy([root], [READ_KEY], { config: { metrics: { protected: true } } });
    try {
      expect((await fetch(`${proxy.url}/metrics`)).status).toBe(401);
      const scrape = await fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${READ_KEY}` } });
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain('simviz_http_request_duration_seconds');
    } finally {
      await proxy.close();
    }
  });
});

describe('keys in logs', () => {
  it('never writes a key to the log, whatever the request or log call', async () => {
    const log = new CapturedLog();
    const config = testConfig([root], { apiKeys: KEYS, logLevel: 'trace' });
    const logger = createLogger('trace', log);
    const proxy = await startProxy(config, logger);
    try {
      await requestJson(proxy, '/api/v1/simulations', { key: READ_KEY });
      await requestJson(proxy, '/api/v1/simulations', { key: `${WRITE_KEY}x` });
      await requestJson(proxy, '/api/v1/query', { key: WRITE_KEY, body: { simulations: [] } });
      await requestJson(proxy, '/api/v1/nothing-here', { key: WRITE_ONLY_KEY });
      await fetch(`${proxy.url}/api/v1/health`, { headers: { authorization: `bearer ${READ_KEY}`, 'x-api-key': 'not-a-header-we-log' } });
      // Careless log calls are covered by redaction too.
      logger.info({ config }, 'configuration');
      logger.info({ apiKeys: config.apiKeys, headers: { authorization: `Bearer ${READ_KEY}` } }, 'keys');
    } finally {
      await proxy.close();
      await rm(config.cacheDir, { recursive: true, force: true });
    }
    expect(log.text).toContain('request completed');
    expect(log.text).toContain('[redacted]');
    for (const { key } of KEYS) {
      expect(log.text).not.toContain(key);
    }
  });
});
