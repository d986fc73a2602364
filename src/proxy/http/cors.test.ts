import { rm } from 'node:fs/promises';

import type { DataRoot } from '../../engine/catalog/scan';
import type { RunningProxy } from '../main';
import { startTestProxy } from '../../../tests/support/proxy';
import { smallRoot } from '../../../tests/support/roots';

const KEY = 'cors-key-0123456789';
const GRAFANA = 'https://grafana.example.com';
const OTHER = 'https://evil.example.net';

let root: DataRoot;

beforeAll(async () => {
  root = await smallRoot();
});
afterAll(() => rm(root.path, { recursive: true, force: true }));

function preflight(proxy: RunningProxy, origin: string): Promise<Response> {
  return fetch(`${proxy.url}/api/v1/query`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
}

function get(proxy: RunningProxy, origin: string, key?: string): Promise<Response> {
  return fetch(`${proxy.url}/api/v1/simulations`, { headers: { origin, ...(key ? { authorization: `Bearer ${key}` } : {}) } });
}

describe('CORS off (the default)', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await startTestProxy([root], [KEY]);
  });
  afterAll(() => proxy.close());

  it('adds no CORS headers, so browsers refuse cross-origin reads', async () => {
    const response = await get(proxy, GRAFANA, KEY);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('does not answer preflights', async () => {
    const response = await preflight(proxy, GRAFANA);
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('CORS on for listed origins', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await startTestProxy([root], [KEY], { config: { cors: { origins: [GRAFANA, 'http://localhost:3000'] } } });
  });
  afterAll(() => proxy.close());

  it('allows exactly the listed origins', async () => {
    const allowed = await get(proxy, GRAFANA, KEY);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(GRAFANA);
    expect(allowed.headers.get('vary')).toContain('Origin');
    const local = await get(proxy, 'http://localhost:3000', KEY);
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const other = await get(proxy, OTHER, KEY);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // Credentials are bearer keys, never cookies.
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers preflights without a key, but only for listed origins', async () => {
    const response = await preflight(proxy, GRAFANA);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(GRAFANA);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    const refused = await preflight(proxy, OTHER);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('puts CORS headers on 401s too, so the page can read why', async () => {
    const response = await get(proxy, GRAFANA);
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(GRAFANA);
    expect(response.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate');
  });
});
