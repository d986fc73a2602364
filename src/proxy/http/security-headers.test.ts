/**
 * Every response carries the security headers, whoever asks and however the request ends: answers,
 * 401s, 404s, validation errors, the open routes and /metrics.
 */
import { rm } from 'node:fs/promises';

import type { DataRoot } from '../../engine/catalog/scan';
import type { RunningProxy } from '../main';
import { startTestProxy } from '../../../tests/support/proxy';
import { smallRoot } from '../../../tests/support/roots';

const KEY = 'headers-key-0123456789';
const EXPECTED = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

let root: DataRoot;
let proxy: RunningProxy;

beforeAll(async () => {
  root = await smallRoot();
  proxy = await startTestProxy([root], [KEY]);
});
afterAll(async () => {
  await proxy.close();
  await rm(root.path, { recursive: true, force: true });
});

const withKey = { authorization: `Bearer ${KEY}` };

describe('security headers', () => {
  it.each([
    ['an answer', '/api/v1/simulations', withKey, 200],
    ['a missing key', '/api/v1/simulations', {}, 401],
    ['a wrong key', '/api/v1/simulations', { authorization: 'Bearer not-the-key-000000' }, 401],
    ['an unknown simulation', '/api/v1/simulations/nope/variables', withKey, 404],
    ['a bad parameter', '/api/v1/simulations?limit=-5', withKey, 400],
    ['an unknown route', '/api/v2/anything', withKey, 404],
    ['health', '/api/v1/health', {}, 200],
    ['metrics', '/metrics', {}, 200],
  ])('are on %s', async (_label, route, headers, status) => {
    const response = await fetch(`${proxy.url}${route}`, { headers });
    expect(response.status).toBe(status);
    const seen = Object.fromEntries(Object.keys(EXPECTED).map((name) => [name, response.headers.get(name)]));
    expect(seen).toEqual(EXPECTED);
    // Plain HTTP: no HSTS (it would pin browsers to an HTTPS the proxy does not serve).
    expect(response.headers.get('strict-transport-security')).toBeNull();
    await response.arrayBuffer();
  });

  it('are on a rejected JSON body', async () => {
    const response = await fetch(`${proxy.url}/api/v1/query`, { method: 'POST', headers: { ...withKey, 'content-type': 'application/json' }, body: '{"targets": [' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
