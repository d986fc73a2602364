/**
 * Fuzzing the request side: query bodies and query strings built from valid ones by mutation, and
 * arbitrary JSON. Whatever arrives, the proxy answers 200 or a 4xx with a JSON error naming the
 * problem, never a 5xx, and keeps answering valid requests (the same series as before).
 */
import { rm } from 'node:fs/promises';

import fc from 'fast-check';

import type { QueryResponse, SimulationPage } from '../../shared/api';
import type { DataRoot } from '../../engine/catalog/scan';
import type { RunningProxy } from '../main';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { smallRoot } from '../../../tests/support/roots';

const KEY = 'request-fuzz-key-0123';
let root: DataRoot;
let proxy: RunningProxy;
let id: string;
let validBody: Record<string, unknown>;
let validAnswer: QueryResponse;

beforeAll(async () => {
  root = await smallRoot();
  proxy = await startTestProxy([root], [KEY]);
  const page = await requestJson<SimulationPage>(proxy, '/api/v1/simulations', { key: KEY });
  id = page.body.items.find((s) => s.status === 'ok')!.id;
  const variables = await requestJson<{ items: Array<{ name: string; kind: string }> }>(proxy, `/api/v1/simulations/${id}/variables?kind=trajectory&limit=2`, { key: KEY });
  validBody = { simulations: [id], variables: variables.body.items.map((v) => v.name), maxDataPoints: 50, from: 0, to: 1 };
  validAnswer = (await requestJson<QueryResponse>(proxy, '/api/v1/query', { key: KEY, body: validBody })).body;
}, 60_000);

afterAll(async () => {
  await proxy.close();
  await rm(root.path, { recursive: true, force: true });
});

/** Values that break parsers and bounds: wrong types, extremes, hostile strings. */
const nasty = fc.oneof(
  fc.constantFrom(null, true, 0, -1, -0, 1e308, -1e308, 2 ** 31 - 1, 2 ** 53 + 2, 1e9, 0.5, '', 'NaN', 'Infinity', '-1', '1e999'),
  fc.constantFrom('../../etc/passwd', '/etc/passwd', '%2e%2e%2f', 'a'.repeat(5000), '\u0000', '(a+)+$', '*'.repeat(300), '[', '\uD800', '__proto__', 'constructor'),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })
);

const field = fc.constantFrom('simulations', 'variables', 'from', 'to', 'maxDataPoints', 'extra', '__proto__');

/** A valid body with one to three fields replaced, removed or added. */
const mutatedBody = fc.array(fc.tuple(field, fc.option(nasty, { nil: undefined })), { minLength: 1, maxLength: 3 }).map((changes) => {
  const body: Record<string, unknown> = { ...validBody };
  for (const [name, value] of changes) {
    if (value === undefined) {
      delete body[name];
    } else {
      body[name] = name === 'simulations' || name === 'variables' ? (Array.isArray(value) ? value : [value]) : value;
    }
  }
  return body;
});

function expectHandled(status: number, body: unknown, what: string): void {
  expect({ what, server: status >= 500 }).toEqual({ what, server: false });
  if (status >= 400) {
    expect(body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  }
}

describe('requests built to break the parser', () => {
  it('query bodies: mutated, arbitrary JSON, and broken text', async () => {
    const body = fc.oneof(
      mutatedBody.map((b) => JSON.stringify(b)),
      fc.json(),
      fc.string().map((s) => `{"simulations": [${s}`)
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const { status, body: answer } = await requestJson(proxy, '/api/v1/query', { key: KEY, body: text });
        expectHandled(status, answer, text.slice(0, 200));
      }),
      { numRuns: 400, seed: 20261130 }
    );
    // Still serving, and the same answer as before the storm.
    expect((await requestJson<QueryResponse>(proxy, '/api/v1/query', { key: KEY, body: validBody })).body).toEqual(validAnswer);
  }, 120_000);

  it('query strings of the listing and search routes', async () => {
    const routes = ['/api/v1/simulations', `/api/v1/simulations/${id}/variables`, `/api/v1/simulations/${id}/events`, '/api/v1/variables', '/api/v1/parameters/diff'];
    const names = fc.constantFrom('search', 'glob', 'regex', 'kind', 'limit', 'offset', 'sort', 'order', 'from', 'to', 'simulation', 'folder', 'status', 'unknown');
    const value = nasty.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''));
    const request = fc.tuple(fc.constantFrom(...routes), fc.array(fc.tuple(names, value), { maxLength: 4 }));
    await fc.assert(
      fc.asyncProperty(request, async ([route, params]) => {
        const query = new URLSearchParams(params).toString();
        const url = `${route}?${query}`;
        const { status, body } = await requestJson(proxy, url, { key: KEY });
        expectHandled(status, body, url.slice(0, 200));
      }),
      { numRuns: 400, seed: 20261130 }
    );
    expect((await requestJson(proxy, '/api/v1/health')).status).toBe(200);
  }, 120_000);
});
