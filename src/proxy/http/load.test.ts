/**
 * The load and soak benchmark in a bounded form (`npm run bench -- --only soak` is the full one):
 * 50 concurrent clients mixing simulation lists, variable searches and queries over the real
 * result files, with queries on a generated long file of 32 MB too. No request may fail, and the
 * memory must stop growing once the load is steady.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import autocannon from 'autocannon';

import type { Health, QueryRequest, SimulationPage, VariablePage } from '../../shared/api';
import { SERIES_MAGIC, SERIES_MEDIA_TYPE } from '../../shared/seriesWire';
import { writeBenchFile } from '../../../scripts/bench/generate';
import type { RunningProxy } from '../main';
import { realFixturesDir } from '../../../tests/support/fixtures';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';

const CONNECTIONS = 50;
const DURATION_S = 10;
const PLAN_SIZE = 2000;
/**
 * RSS rises between major collections and drops at each (about 12 MB/s under this load, a cycle
 * of about 10 s), so a 10 s run says little through RSS. What a leak raises is the memory still
 * held after a full collection: measured a quarter into the run and near its end, under load.
 * Clean runs moved it by 1-4 % (about 70 MB); a leak of 2 KB per query added 7 %, so this bound
 * catches leaks from about 3 KB per request (the 60 s soak in `npm run bench` sees smaller ones).
 */
const MAX_RETAINED_GROWTH = 0.1;

/** The runtime's collector, exposed without a command-line flag (jest's is fixed by the CI script). */
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap and array-buffer bytes still held after a full collection. */
function retainedBytes(gc: () => void): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

let base: string;
let proxy: RunningProxy;

interface Planned {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** A query asking for the binary answer (shared/seriesWire.ts). */
  binary?: boolean;
}

interface Run {
  id: string;
  startTime: number;
  stopTime: number;
  trajectories: string[];
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'simviz-load-'));
  const long = path.join(base, 'long');
  await mkdir(long);
  // 100 signals x 40,000 steps of float64: large enough for a per-variable layout and streamed M4.
  await writeBenchFile(path.join(long, 'long-32m-f64.mat'), { signals: 100, steps: 40_000, precision: 'float64' });
  proxy = await startTestProxy([
    { name: 'real', path: realFixturesDir() },
    { name: 'long', path: long },
  ]);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await rm(base, { recursive: true, force: true });
});

async function readableRuns(): Promise<Run[]> {
  const { body } = await requestJson<SimulationPage>(proxy, '/api/v1/simulations?status=ok&limit=100');
  const runs: Run[] = [];
  for (const simulation of body.items) {
    const variables = await requestJson<VariablePage>(proxy, `/api/v1/simulations/${simulation.id}/variables?kind=trajectory&limit=1000`);
    runs.push({ id: simulation.id, startTime: simulation.startTime ?? 0, stopTime: simulation.stopTime ?? 0, trajectories: variables.body.items.map((v) => v.name) });
  }
  return runs.filter((run) => run.trajectories.length > 0);
}

/** Reads every run once and waits for the layouts that starts, as a proxy that has been serving a while. */
async function warmUp(runs: Run[]): Promise<void> {
  for (const run of runs) {
    const answer = await requestJson(proxy, '/api/v1/query', { body: { simulations: [run.id], variables: run.trajectories.slice(0, 2), maxDataPoints: 1000 } });
    expect(answer.status).toBe(200);
    const file = (await proxy.catalog.openFile(run.id)) as { layoutReady?: () => Promise<boolean> } | undefined;
    await file?.layoutReady?.();
  }
}

function after<T>(ms: number, work: () => T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(work()), ms));
}

/** A seeded request mix: 15 % lists, 25 % variable searches, 60 % queries (of up to 8 series, a zoomed range in most). */
function plan(runs: Run[]): Planned[] {
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  return Array.from({ length: PLAN_SIZE }, (): Planned => {
    const u = random();
    const run = pick(runs);
    if (u < 0.15) {
      return { method: 'GET', path: `/api/v1/simulations?limit=${pick([20, 50, 100])}&search=${pick(['', 'dymola', 'long', 'ball'])}` };
    }
    if (u < 0.4) {
      return { method: 'GET', path: `/api/v1/simulations/${run.id}/variables?limit=100&search=${encodeURIComponent(pick(run.trajectories).split('.')[0])}` };
    }
    const variables = [...new Set(Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(run.trajectories)))];
    const request: QueryRequest = { simulations: [run.id], variables, maxDataPoints: 1000 + Math.floor(random() * 1000) };
    if (random() < 0.7) {
      const span = run.stopTime - run.startTime;
      request.from = run.startTime + random() * span * 0.8;
      request.to = request.from + span * (0.02 + random() * 0.2);
    }
    // Half as the datasource asks (binary answers), half as curl or Infinity do (JSON).
    return { method: 'POST', path: '/api/v1/query', body: JSON.stringify(request), binary: random() < 0.5 };
  });
}

describe('50 concurrent clients for 10 s', () => {
  it('get every answer (no errors, no 5xx, no error entries), and memory stops growing once the load is steady', async () => {
    const runs = await readableRuns();
    expect(runs.length).toBeGreaterThanOrEqual(6);
    await warmUp(runs);
    const requests = plan(runs);
    let next = 0;
    let errorEntries = 0;
    let binaryAnswers = 0;
    const gc = fullGc();
    const quarterIn = after(DURATION_S * 250, () => retainedBytes(gc));
    const nearEnd = after(DURATION_S * 950, () => retainedBytes(gc));
    const rssBefore = process.memoryUsage().rss;
    const result = await autocannon({
      url: proxy.url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [
        {
          setupRequest: (request) => {
            const planned = requests[next++ % requests.length];
            const accept = planned.binary ? { accept: SERIES_MEDIA_TYPE } : {};
            return { ...request, method: planned.method, path: planned.path, body: planned.body, headers: planned.body ? { 'content-type': 'application/json', ...accept } : {} };
          },
          onResponse: (status, body) => {
            // A binary answer's head is JSON text too, so an error entry shows the same way.
            if (status === 200 && body.includes('"error":{')) {
              errorEntries++;
            }
            binaryAnswers += body.startsWith(SERIES_MAGIC) ? 1 : 0;
          },
        },
      ],
    });
    const [steady, end] = await Promise.all([quarterIn, nearEnd]);
    const report = {
      requests: result.requests.total,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      errorEntries,
      binaryAnswers,
      p99Ms: result.latency.p99,
      retainedMbQuarterIn: Math.round(steady / 2 ** 20),
      retainedMbNearEnd: Math.round(end / 2 ** 20),
      rssMbBefore: Math.round(rssBefore / 2 ** 20),
      rssMbAfter: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    // The figures go into the failure message, and into the log of a passing run.
    console.log(`load: ${JSON.stringify(report)}`);
    expect({ errors: report.errors, timeouts: report.timeouts, non2xx: report.non2xx, errorEntries }).toEqual({ errors: 0, timeouts: 0, non2xx: 0, errorEntries: 0 });
    expect(report.requests).toBeGreaterThan(1000);
    expect(binaryAnswers).toBeGreaterThan(report.requests / 10);
    expect(end).toBeLessThan(steady * (1 + MAX_RETAINED_GROWTH));
    expect((await requestJson<Health>(proxy, '/api/v1/health')).body.status).toBe('ok');
  }, 60_000);
});
