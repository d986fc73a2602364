/**
 * A cache folder that takes no writes (here: a path through a regular file, which fails like a
 * read-only or full disk would) must cost speed only: every answer stays exact, the proxy warns
 * once per cache, and /metrics shows the cache as degraded with its failed writes.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { openResultFile } from '../decoder';
import { createLogger, type RunningProxy } from '../../proxy/main';
import { querySeriesFromFile } from '../query/run';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { writeResultFile } from '../writer/mat4-writer';
import type { QueryResponse, SimulationPage } from '../../shared/api';

const KEY = 'cache-health-key-0123';
/** Large enough for a per-variable layout (4 MiB of samples). */
const STEPS = 70_000;
const SIGNALS = 8;

let dir: string;
let proxy: RunningProxy;
let log = '';

async function writeLongRun(name: string, phase: number): Promise<void> {
  const time = Array.from({ length: STEPS }, (_, i) => i * 0.001);
  const names = Array.from({ length: SIGNALS - 1 }, (_, s) => `x${s}`);
  const trajectories = Object.fromEntries(names.map((n, s) => [n, time.map((t) => Math.sin(t * (s + 1) + phase))]));
  await writeResultFile(
    path.join(dir, 'root', name),
    { startTime: 0, stopTime: time[STEPS - 1], options: { precision: 'float64' }, variables: names.map((n) => ({ kind: 'trajectory' as const, name: n })) },
    { time, trajectories }
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-cache-health-'));
  await mkdir(path.join(dir, 'root'));
  await writeLongRun('first.mat', 0);
  await writeLongRun('second.mat', 1);
  const blocker = path.join(dir, 'not-a-folder');
  await writeFile(blocker, 'a file where the cache folder should be');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString('utf8');
      done();
    },
  });
  proxy = await startTestProxy([{ name: 'root', path: path.join(dir, 'root') }], [KEY], {
    config: { cacheDir: path.join(blocker, 'cache') },
    logger: createLogger('info', sink),
  });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await rm(dir, { recursive: true, force: true });
});

async function metric(name: string, cache: string): Promise<number> {
  const text = (await (await fetch(`${proxy.url}/metrics`)).text()).split('\n');
  const line = text.find((l) => l.startsWith(`${name}{cache="${cache}"}`));
  return line === undefined ? NaN : Number(line.split(' ').pop());
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a cache folder that takes no writes', () => {
  it('answers exactly as without a cache, warns once per cache and shows the cache degraded', async () => {
    const { body: page } = await requestJson<SimulationPage>(proxy, '/api/v1/simulations', { key: KEY });
    expect(page.items.map((s) => [s.name, s.status])).toEqual([
      ['first', 'ok'],
      ['second', 'ok'],
    ]);
    for (let round = 0; round < 2; round++) {
      for (const simulation of page.items) {
        const request = { variables: ['x2', 'x5'], maxDataPoints: 400, from: 3, to: 60 };
        const { status, body } = await requestJson<QueryResponse>(proxy, '/api/v1/query', { key: KEY, body: { simulations: [simulation.id], ...request } });
        expect(status).toBe(200);
        // The reference: the decoder on its own, without any cache folder.
        const decoded = await openResultFile(path.join(dir, 'root', `${simulation.name}.mat`));
        const expected = await querySeriesFromFile(decoded, { id: simulation.id, name: simulation.name }, request);
        expect(body.series.map((s) => ('values' in s ? [s.time, s.values] : s))).toEqual(expected.map((e) => ('values' in e ? [Array.from(e.time), Array.from(e.values)] : e)));
      }
      // Layouts are built after a read, in the background: wait until both builds have failed.
      await until(async () => (await metric('simviz_cache_write_failures_total', 'layouts')) >= 2);
    }
    expect(await metric('simviz_cache_write_failures_total', 'layouts')).toBe(2);
    expect(await metric('simviz_cache_degraded', 'layouts')).toBe(1);
    expect(await metric('simviz_cache_degraded', 'index')).toBe(1);
    const warnings = log.split('\n').filter((line) => line.includes('cannot write to the cache folder'));
    expect(warnings.map((line) => (JSON.parse(line) as { cache: string }).cache).sort()).toEqual(['index', 'layouts']);
  }, 60_000);
});
