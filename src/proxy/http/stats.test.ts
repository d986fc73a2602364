import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Value } from '@sinclair/typebox/value';

import { StatsSchema, type ErrorBody, type Simulation, type SimulationPage, type Stats, type StatsRoute } from '../../shared/api';
import type { RunningProxy } from '../main';
import { realFixture, realFixturesDir } from '../../../tests/support/fixtures';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { PROXY_VERSION } from '../../engine/version';

const KEY = 'stats-key-0123456789';
let proxy: RunningProxy;
let scratch: string;
let cacheDir: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'simviz-stats-'));
  cacheDir = await mkdtemp(path.join(tmpdir(), 'simviz-stats-cache-'));
  await copyFile(realFixture('om119_bouncingball.mat'), path.join(scratch, 'ball.mat'));
  proxy = await startTestProxy(
    [
      { name: 'real', path: realFixturesDir() },
      { name: 'scratch', path: scratch },
    ],
    [KEY],
    { config: { cacheDir } }
  );
});

afterAll(async () => {
  await proxy.close();
  await rm(scratch, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

async function stats(target: RunningProxy = proxy, query = ''): Promise<Stats> {
  const { status, body } = await requestJson<Stats>(target, `/api/v1/stats${query}`, { key: KEY });
  expect(status).toBe(200);
  expect(Value.Check(StatsSchema, body)).toBe(true);
  return body;
}

async function simulations(query = ''): Promise<Simulation[]> {
  return (await requestJson<SimulationPage>(proxy, `/api/v1/simulations?limit=1000${query}`, { key: KEY })).body.items;
}

function route(body: Stats, pattern: string, method = 'GET'): StatsRoute | undefined {
  return body.requests.routes.find((r) => r.route === pattern && r.method === method);
}

/** The count of one series in the Prometheus exposition, e.g. request counts by route and status. */
async function scrapedCount(series: string): Promise<number> {
  const text = await (await fetch(`${proxy.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('GET /api/v1/stats', () => {
  it('needs a key with the read scope, like the other data routes', async () => {
    const { status, body } = await requestJson<ErrorBody>(proxy, '/api/v1/stats');
    expect(status).toBe(401);
    expect(body.error.code).toBe('unauthorized');
    const bad = await requestJson<ErrorBody>(proxy, '/api/v1/stats?failures=1000', { key: KEY });
    expect(bad.status).toBe(400);
  });

  it('reports the version, uptime and simulations by status as the catalogue lists them', async () => {
    const first = await stats();
    expect(first).toMatchObject({ version: PROXY_VERSION, ready: true });
    const all = await simulations();
    const count = (status: Simulation['status']) => all.filter((s) => s.status === status).length;
    expect(first.simulations).toEqual({ total: all.length, ok: count('ok'), writing: count('writing'), error: count('error') });
    expect(first.simulations.error).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await stats();
    expect(second.uptimeSeconds).toBeGreaterThan(first.uptimeSeconds);
    expect(second.startedAt).toBe(first.startedAt);
    expect(second.memory.rssBytes).toBeGreaterThan(second.memory.heapUsedBytes);
  });

  it('describes the last scan: files found, decoded, failed and the index read', async () => {
    const { indexing, simulations: counts } = await stats();
    expect(indexing.scans).toBe(1);
    expect(indexing.lastScan).toMatchObject({ files: counts.total, decoded: counts.total, fromIndex: 0, failed: counts.error });
    expect(indexing.lastScan!.indexLoadMs).toBeGreaterThanOrEqual(0);
    expect(indexing.lastScan!.durationMs).toBeGreaterThanOrEqual(indexing.lastScan!.indexLoadMs!);
    // Every file of the first scan was decoded once; the failures among them count as decode errors or quality problems.
    expect(indexing.decodes).toBe(counts.total);
    expect(indexing.decodeMs).toBeGreaterThan(0);
  });

  it('lists the failing files with their reason, latest first, and as many as asked for', async () => {
    const failing = await simulations('&status=error');
    const { recentFailures } = await stats();
    expect(recentFailures.map((f) => `${f.root}/${f.path}: ${f.reason}`).sort()).toEqual(failing.map((s) => `${s.root}/${s.path}: ${s.error}`).sort());

    await writeFile(path.join(scratch, 'broken.mat'), 'not a result file at all, but long enough to be read as one '.repeat(4));
    await proxy.catalog.scan();
    const after = await stats(proxy, '?failures=2');
    expect(after.recentFailures).toHaveLength(2);
    expect(after.recentFailures[0]).toMatchObject({ root: 'scratch', path: 'broken.mat', reason: expect.stringContaining('scratch/broken.mat') });
    expect(Date.parse(after.recentFailures[0].seenAt)).toBeGreaterThan(Date.parse(after.recentFailures[1].seenAt));
    expect(after.indexing.scans).toBe(2);
    // The second scan took every unchanged file from the index and decoded only the new one.
    expect(after.indexing.lastScan).toMatchObject({ decoded: 1, fromIndex: after.simulations.total - 1, failed: after.simulations.error });
  });

  it('times requests per route pattern: counts since start and quantiles over the window', async () => {
    const [ball] = await simulations('&search=ball&root=scratch');
    const before = route(await stats(), '/api/v1/simulations/:id')?.requests ?? 0;
    for (let i = 0; i < 5; i++) {
      await requestJson(proxy, `/api/v1/simulations/${ball.id}`, { key: KEY });
    }
    await requestJson(proxy, `/api/v1/simulations/${'x'.repeat(22)}`, { key: KEY });
    const body = await stats();
    const timing = route(body, '/api/v1/simulations/:id')!;
    expect(timing.requests).toBe(before + 6);
    expect(timing.serverErrors).toBe(0);
    expect(timing.requests).toBe(
      (await scrapedCount('simviz_http_request_duration_seconds_count{route="/api/v1/simulations/:id",method="GET",status="200"}')) +
        (await scrapedCount('simviz_http_request_duration_seconds_count{route="/api/v1/simulations/:id",method="GET",status="404"}'))
    );
    const quantiles = [timing.p50Ms, timing.p95Ms, timing.p99Ms, timing.maxMs] as number[];
    quantiles.forEach((q) => expect(q).toBeGreaterThan(0));
    expect([...quantiles].sort((a, b) => a - b)).toEqual(quantiles);
    expect(body.requests.windowSeconds).toBe(600);
    // Raw URLs never become rows.
    expect(body.requests.routes.some((r) => r.route.includes(ball.id))).toBe(false);
  });

  it('counts hits and misses of the open-file cache', async () => {
    const [ball] = await simulations('&search=ball&root=scratch');
    const before = (await stats()).caches.find((c) => c.name === 'open_files');
    await requestJson(proxy, `/api/v1/simulations/${ball.id}/variables`, { key: KEY });
    await requestJson(proxy, `/api/v1/simulations/${ball.id}/variables`, { key: KEY });
    const after = (await stats()).caches.find((c) => c.name === 'open_files')!;
    expect(after.hits + after.misses).toBe((before?.hits ?? 0) + (before?.misses ?? 0) + 2);
    expect(after.hits).toBeGreaterThan(before?.hits ?? 0);
    expect(after.bytes).toBeNull();
  });

  it('is described in the OpenAPI document', async () => {
    const { body } = await requestJson<{ paths: Record<string, unknown> }>(proxy, '/api/v1/openapi.json', { key: KEY });
    expect(Object.keys(body.paths)).toContain('/api/v1/stats');
  });
});

describe('a restart on the same cache folder', () => {
  it('takes every file from the index and says so', async () => {
    const restarted = await startTestProxy([{ name: 'real', path: realFixturesDir() }, { name: 'scratch', path: scratch }], [KEY], { config: { cacheDir } });
    try {
      const { indexing, simulations: counts } = await stats(restarted);
      expect(indexing.lastScan).toMatchObject({ files: counts.total, fromIndex: counts.total, decoded: 0 });
      expect(indexing.decodes).toBe(0);
    } finally {
      await restarted.close();
    }
  });
});
