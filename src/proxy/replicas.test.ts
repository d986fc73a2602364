/**
 * Two proxies behind Debian's nginx, as a site runs them for availability: both replicas serve the
 * same results folder under the same root names and key, nginx balances round-robin. Whichever
 * replica answers, the answer must be the same (ids are derived from root name and path, so they
 * agree without any shared state).
 *
 * Needs /usr/sbin/nginx (`apt-get install -y nginx`; .ci/run installs it). Without it every test
 * here fails with that message: it is never skipped.
 */
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { QueryRequest, Series, SimulationPage, VariablePage } from '../shared/api';
import { simulationId } from '../engine/catalog/ids';
import { EXAMPLE_FILES, generateExamples } from './examples/generate';
import type { RunningProxy } from './main';
import { realFixturesDir } from '../../tests/support/fixtures';
import { requireNginx, startNginx, type RunningNginx } from '../../tests/support/nginx';
import { startTestProxy } from '../../tests/support/proxy';

const KEY = 'replica-key-0123456789';
/** The keys both replicas accept (the one place to adapt if the key configuration changes shape). */
const API_KEYS = [KEY];
/** Each request goes this many times through nginx, so round-robin reaches both replicas. */
const THROUGH_NGINX = 4;

let generated: string;
let replicas: RunningProxy[] = [];
let nginx: RunningNginx | undefined;

interface Answer {
  status: number;
  body: unknown;
  upstream: string | null;
}

interface Call {
  route: string;
  body?: QueryRequest;
  key?: string;
}

async function send(baseUrl: string, call: Call): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (call.key !== undefined) {
    headers.authorization = `Bearer ${call.key}`;
  }
  if (call.body) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${baseUrl}${call.route}`, {
    method: call.body ? 'POST' : 'GET',
    headers,
    body: call.body ? JSON.stringify(call.body) : undefined,
  });
  return { status: response.status, body: await response.json(), upstream: response.headers.get('x-upstream') };
}

const addressOf = (proxy: RunningProxy) => `127.0.0.1:${proxy.port}`;

/**
 * Sends `call` to each replica directly and THROUGH_NGINX times through nginx: all answers must
 * agree, and nginx must have passed the call to both replicas (X-Upstream).
 */
async function expectSameEverywhere(call: Call, expectedStatus: number): Promise<unknown> {
  const direct = await Promise.all(replicas.map((replica) => send(replica.url, call)));
  expect(direct[0].status).toBe(expectedStatus);
  expect(direct[1]).toEqual({ ...direct[0], upstream: null });
  const upstreams: string[] = [];
  for (let k = 0; k < THROUGH_NGINX; k++) {
    const viaNginx = await send(nginx!.url, call);
    expect({ route: call.route, status: viaNginx.status, body: viaNginx.body }).toEqual({ route: call.route, status: direct[0].status, body: direct[0].body });
    expect(viaNginx.upstream).not.toBeNull();
    upstreams.push(viaNginx.upstream!);
  }
  expect([...new Set(upstreams)].sort()).toEqual(replicas.map(addressOf).sort());
  return direct[0].body;
}

beforeAll(async () => {
  // Fails (never skips) with the install hint when nginx is missing.
  requireNginx();
  generated = await mkdtemp(path.join(tmpdir(), 'simviz-replicas-'));
  const files = await generateExamples(generated);
  // Results written long ago, as on a share: neither replica lists them as still being written.
  const past = new Date(Date.now() - 3600_000);
  await Promise.all(files.map((file) => utimes(file, past, past)));
  const roots = [
    { name: 'generated', path: generated },
    { name: 'real', path: realFixturesDir() },
  ];
  replicas = [await startTestProxy(roots, API_KEYS), await startTestProxy(roots, API_KEYS)];
  nginx = await startNginx(replicas.map(addressOf));
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await Promise.all(replicas.map((replica) => replica.close()));
  if (generated) {
    await rm(generated, { recursive: true, force: true });
  }
});

describe('two replicas behind nginx (round-robin)', () => {
  it('lists the same simulations with the same ids, whichever replica answers', async () => {
    const page = (await expectSameEverywhere({ route: '/api/v1/simulations?limit=1000', key: KEY }, 200)) as SimulationPage;
    expect(page.total).toBeGreaterThanOrEqual(8 + 11);
    const chua = page.items.find((s) => s.root === 'real' && s.path === 'dymola_chuacircuit.mat');
    expect(chua?.id).toBe(simulationId('real', 'dymola_chuacircuit.mat'));
    expect(page.items.filter((s) => s.root === 'generated' && s.status === 'ok')).toHaveLength(EXAMPLE_FILES.length);
    // Searching and paging agree too.
    const searched = (await expectSameEverywhere({ route: '/api/v1/simulations?search=dymola&limit=3&offset=1', key: KEY }, 200)) as SimulationPage;
    expect(searched.items).toHaveLength(3);
  });

  it('answers health, one simulation and the variables of every readable simulation identically', async () => {
    await expectSameEverywhere({ route: '/api/v1/health' }, 200);
    const page = (await send(replicas[0].url, { route: '/api/v1/simulations?limit=1000', key: KEY })).body as SimulationPage;
    for (const simulation of page.items.filter((s) => s.status === 'ok')) {
      expect(await expectSameEverywhere({ route: `/api/v1/simulations/${simulation.id}`, key: KEY }, 200)).toEqual(simulation);
      const variables = (await expectSameEverywhere({ route: `/api/v1/simulations/${simulation.id}/variables?limit=50`, key: KEY }, 200)) as VariablePage;
      expect(variables.items.length).toBeGreaterThan(0);
    }
    const searched = (await expectSameEverywhere(
      { route: `/api/v1/simulations/${simulationId('real', 'dymola_threetanks.mat')}/variables?search=ambient`, key: KEY },
      200
    )) as VariablePage;
    expect(searched.total).toBeGreaterThan(0);
  });

  it('returns the same series for queries over every readable simulation (exact and downsampled)', async () => {
    const page = (await send(replicas[0].url, { route: '/api/v1/simulations?limit=1000', key: KEY })).body as SimulationPage;
    let compared = 0;
    for (const simulation of page.items.filter((s) => s.status === 'ok')) {
      const variables = (
        (await send(replicas[0].url, { route: `/api/v1/simulations/${simulation.id}/variables?kind=trajectory&limit=3`, key: KEY })).body as VariablePage
      ).items.map((v) => v.name);
      if (variables.length === 0) {
        continue;
      }
      const start = simulation.startTime ?? 0;
      const span = (simulation.stopTime ?? start) - start;
      for (const body of [
        { simulations: [simulation.id], variables },
        { simulations: [simulation.id], variables, from: start + span * 0.2, to: start + span * 0.7, maxDataPoints: 16 },
      ]) {
        const { series } = (await expectSameEverywhere({ route: '/api/v1/query', body, key: KEY }, 200)) as { series: Series[] };
        expect(series.map((s) => [s.simulation, s.variable])).toEqual(variables.map((v) => [simulation.id, v]));
        series.forEach((s) => expect(s.time.length).toBe(s.values.length));
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(2 * 15);
    // Several simulations at once, with an unknown one answered as error entries.
    const ids = page.items.filter((s) => s.status === 'ok').map((s) => s.id);
    const mixed = (await expectSameEverywhere(
      { route: '/api/v1/query', body: { simulations: [...ids.slice(0, 3), 'A'.repeat(22)], variables: ['time', 'no.such.variable'], maxDataPoints: 100 }, key: KEY },
      200
    )) as { series: unknown[] };
    expect(mixed.series).toHaveLength(8);
  });

  it('answers 404 and 401 identically', async () => {
    expect(await expectSameEverywhere({ route: `/api/v1/simulations/${'A'.repeat(22)}`, key: KEY }, 404)).toMatchObject({ error: { code: 'not_found' } });
    expect(await expectSameEverywhere({ route: `/api/v1/simulations/${'A'.repeat(22)}/variables`, key: KEY }, 404)).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await expectSameEverywhere({ route: '/api/v1/simulations' }, 401)).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('alternates between the replicas, request by request', async () => {
    const upstreams: Array<string | null> = [];
    for (let k = 0; k < 6; k++) {
      upstreams.push((await send(nginx!.url, { route: '/api/v1/health' })).upstream);
    }
    const [a, b] = upstreams;
    expect(new Set([a, b])).toEqual(new Set(replicas.map(addressOf)));
    expect(upstreams).toEqual([a, b, a, b, a, b]);
  });
});
