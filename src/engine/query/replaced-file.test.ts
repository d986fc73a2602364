/**
 * A result file replaced, rewritten in place, cut short or deleted while queries read it. Every
 * answer must be one version of the file, whole, or an error naming the file: never a mix of two
 * versions, never a 5xx. Afterwards the proxy serves the file as it now is.
 */
import { copyFile, mkdir, mkdtemp, rename, rm, truncate, unlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ErrorBody, QueryResponse, Series, Simulation, SimulationPage, Stats } from '../../shared/api';
import type { RunningProxy } from '../../proxy/main';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { writeResultFile, type ResultSpec } from '../writer/mat4-writer';

const STEPS = 40_000;
const SIGNALS = 24;
const names = Array.from({ length: SIGNALS }, (_, i) => `s${i}`);

let base: string;
let versions: { a: string; b: string };
let live: string;
let proxy: RunningProxy;
let run: Simulation;

/** Version a holds i + 1 + t/STEPS in signal i, version b the negatives: each value says which version it came from. */
async function writeVersion(file: string, sign: 1 | -1): Promise<void> {
  const time = Array.from({ length: STEPS }, (_, k) => k / 100);
  const spec: ResultSpec = { startTime: 0, stopTime: time[STEPS - 1], variables: names.map((name) => ({ kind: 'trajectory' as const, name })) };
  const trajectories = Object.fromEntries(names.map((name, i) => [name, time.map((_, k) => sign * (i + 1 + k / STEPS))]));
  await writeResultFile(file, { ...spec, options: { precision: 'float64' } }, { time, trajectories });
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'simviz-replaced-'));
  versions = { a: path.join(base, 'a.mat'), b: path.join(base, 'b.mat') };
  await writeVersion(versions.a, 1);
  await writeVersion(versions.b, -1);
  const share = path.join(base, 'share');
  await mkdir(share);
  live = path.join(share, 'run.mat');
  await copyFile(versions.a, live);
  proxy = await startTestProxy([{ name: 'lab', path: share }]);
  run = (await requestJson<SimulationPage>(proxy, '/api/v1/simulations')).body.items[0];
}, 60_000);

afterAll(async () => {
  await proxy.close();
  await rm(base, { recursive: true, force: true });
});

type Verdict = 'a' | 'b' | 'error' | string;

/** Which version a whole answer came from, or what is wrong with it. */
function judge(status: number, body: QueryResponse & ErrorBody): Verdict {
  if (status !== 200) {
    return `HTTP ${status}: ${JSON.stringify(body).slice(0, 200)}`;
  }
  const seen = new Set<Verdict>();
  body.series.forEach((entry, i) => {
    if ('error' in entry) {
      seen.add(entry.error.message.includes('lab/run.mat') ? 'error' : `error without the file name: ${entry.error.message}`);
      return;
    }
    const values = (entry as Series).values;
    const sign = Math.sign(values[0] ?? 0);
    const whole = values.every((v) => v !== null && Math.sign(v) === sign && Math.abs(v) >= i + 1 && Math.abs(v) < i + 2);
    seen.add(!whole || values.length < 2 ? `signal ${i}: values from neither or both versions` : sign > 0 ? 'a' : 'b');
  });
  return seen.size === 1 ? [...seen][0] : `one answer mixes ${[...seen].join(' and ')}`;
}

async function queryNow(maxDataPoints?: number): Promise<Verdict> {
  const { status, body } = await requestJson<QueryResponse & ErrorBody>(proxy, '/api/v1/query', {
    body: { simulations: [run.id], variables: names, ...(maxDataPoints ? { maxDataPoints } : {}) },
  });
  return judge(status, body);
}

/** Queries without pause while `change` runs, and returns every verdict. */
async function queriesDuring(change: () => Promise<void>): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  let changing = true;
  const clients = [undefined, 500, 2000].map(async (maxDataPoints) => {
    while (changing) {
      verdicts.push(await queryNow(maxDataPoints));
    }
  });
  await change();
  changing = false;
  await Promise.all(clients);
  if (process.env.SIMVIZ_TEST_LOG) {
    console.log(verdicts.join(' '));
  }
  return verdicts;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unexpected = (verdicts: Verdict[]) => [...new Set(verdicts.filter((v) => v !== 'a' && v !== 'b' && v !== 'error'))];

async function responseCacheHits(): Promise<number> {
  const { body } = await requestJson<Stats>(proxy, '/api/v1/stats');
  return body.caches.find((cache) => cache.name === 'responses')?.hits ?? NaN;
}

describe('a repeated query', () => {
  it('is answered with the kept answer while the file is unchanged, and afresh once it changed', async () => {
    const body = { simulations: [run.id], variables: ['s0', 's1'], maxDataPoints: 700 };
    const first = await requestJson<QueryResponse>(proxy, '/api/v1/query', { body });
    const hits = await responseCacheHits();
    const again = await requestJson<QueryResponse>(proxy, '/api/v1/query', { body: { maxDataPoints: 700, variables: ['s0', 's1'], simulations: [run.id] } });
    expect(again.body).toEqual(first.body);
    expect(await responseCacheHits()).toBe(hits + 1);

    const next = path.join(base, 'share', '.next.mat');
    await copyFile(versions.b, next);
    await rename(next, live);
    await pause(1100);
    const changed = await requestJson<QueryResponse & ErrorBody>(proxy, '/api/v1/query', { body });
    expect(judge(changed.status, changed.body)).toBe('b');
    expect(await responseCacheHits()).toBe(hits + 1);
    await copyFile(versions.a, next);
    await rename(next, live);
    await pause(1100);
  }, 30_000);
});

describe('a result file that changes under the queries reading it', () => {
  it('replaced by rename, back and forth: each answer is one whole version; afterwards the new one', async () => {
    const verdicts = await queriesDuring(async () => {
      for (let round = 0; round < 6; round++) {
        const next = path.join(base, 'share', '.next.mat');
        await copyFile(round % 2 === 0 ? versions.b : versions.a, next);
        await rename(next, live);
        await pause(150);
      }
    });
    expect(unexpected(verdicts)).toEqual([]);
    expect(verdicts.length).toBeGreaterThan(6);
    await pause(1100);
    expect(await queryNow()).toBe('a');
  }, 30_000);

  it('rewritten in place (as cp does): each answer is one whole version or an error naming the file', async () => {
    const verdicts = await queriesDuring(async () => {
      for (let round = 0; round < 6; round++) {
        await copyFile(round % 2 === 0 ? versions.b : versions.a, live);
        await pause(150);
      }
    });
    expect(unexpected(verdicts)).toEqual([]);
    await pause(1100);
    expect(await queryNow(500)).toBe('a');
  }, 30_000);

  it('cut short, then deleted: errors naming the file, never a 5xx; served again once it is back', async () => {
    const verdicts = await queriesDuring(async () => {
      await truncate(live, 200_000);
      await pause(300);
      await unlink(live);
      await pause(300);
    });
    expect(unexpected(verdicts)).toEqual([]);
    expect(verdicts).toContain('error');
    await copyFile(versions.b, live);
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(live, anHourAgo, anHourAgo);
    await pause(1100);
    expect(await queryNow(2000)).toBe('b');
  }, 30_000);
});
