/**
 * What results shares hold besides tidy folders: names that are not UTF-8 or close to the
 * file-system limit, folders nested 200 deep, one flat folder of 10,000 runs and a model
 * with 200,000 variable names. Each is listed (as a run or as an error that names it), is queryable
 * where it can be, and leaves the other runs alone.
 */
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ErrorBody, QueryResponse, Series, Simulation, SimulationPage, VariablePage } from '../../shared/api';
import type { RunningProxy } from '../main';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { writeTinyRun } from '../../../tests/support/roots';
import { writeResultFile, type ResultSpec } from '../../engine/writer/mat4-writer';

const TIME = [0, 0.5, 1];

let base: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'simviz-messy-'));
});

afterAll(() => rm(base, { recursive: true, force: true }));

async function finishedRoot(name: string): Promise<string> {
  const dir = path.join(base, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function listAll(proxy: RunningProxy, query = ''): Promise<SimulationPage> {
  return (await requestJson<SimulationPage>(proxy, `/api/v1/simulations?limit=1000${query}`)).body;
}

async function queryValues(proxy: RunningProxy, simulation: Simulation, variable: string): Promise<Array<number | null>> {
  const { status, body } = await requestJson<QueryResponse & ErrorBody>(proxy, '/api/v1/query', {
    body: { simulations: [simulation.id], variables: [variable] },
  });
  expect(status).toBe(200);
  const series = body.series[0];
  if (!('values' in series)) {
    throw new Error(`${simulation.path}: ${JSON.stringify(series)}`);
  }
  return (series as Series).values;
}

describe('file names and folders', () => {
  let proxy: RunningProxy;
  let deepFolder: string;
  const longName = `${'r'.repeat(247)}.mat`; // 251 bytes: ext4 allows 255

  beforeAll(async () => {
    const root = await finishedRoot('names');
    await writeTinyRun(path.join(root, 'plain.mat'));
    // "café.mat" in Latin-1: the é is the lone byte 0xE9, not UTF-8.
    await writeTinyRun(path.join(root, 'latin1.tmp'), { offset: 1 });
    await rename(path.join(root, 'latin1.tmp'), Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.mat')]));
    await writeTinyRun(path.join(root, longName), { offset: 2 });
    deepFolder = Array.from({ length: 200 }, (_, i) => `level${i}`).join('/');
    await mkdir(path.join(root, deepFolder), { recursive: true });
    await writeTinyRun(path.join(root, deepFolder, 'deep.mat'), { offset: 3 });
    proxy = await startTestProxy([{ name: 'lab', path: root }]);
  });

  afterAll(() => proxy.close());

  it('lists a name that is not UTF-8 as an error that names it and says what to do, and the rest as usual', async () => {
    const { items } = await listAll(proxy);
    const byStatus = items.map((s) => [s.status, s.path.length > 60 ? `${s.path.slice(0, 12)}…(${s.path.length})` : s.path]);
    expect(byStatus).toEqual([
      ['error', 'caf\uFFFD.mat'],
      ['ok', `level0/level…(${deepFolder.length + '/deep.mat'.length})`],
      ['ok', 'plain.mat'],
      ['ok', `rrrrrrrrrrrr…(${longName.length})`],
    ]);
    const latin1 = items[0];
    expect(latin1.error).toBe(
      'lab/caf\uFFFD.mat: the file name is not valid UTF-8 (shown with \uFFFD), so it cannot be opened; rename it in UTF-8, for example with convmv -f latin1 -t utf8'
    );
    const answer = await requestJson<QueryResponse & ErrorBody>(proxy, '/api/v1/query', { body: { simulations: [latin1.id], variables: ['x'] } });
    expect(answer.status).toBeLessThan(500);
    expect(JSON.stringify(answer.body)).toContain('caf\uFFFD.mat');
  });

  it('reads a name of 251 bytes and a run 200 folders deep (a path of over 1,500 characters)', async () => {
    const { items } = await listAll(proxy);
    const long = items.find((s) => s.path === longName)!;
    const deep = items.find((s) => s.path.endsWith('/deep.mat'))!;
    expect(deep.path.length).toBeGreaterThan(1500);
    expect(await queryValues(proxy, long, 'x')).toEqual([2, 2.5, 3]);
    expect(await queryValues(proxy, deep, 'x')).toEqual([3, 3.5, 4]);
    const inFolder = await listAll(proxy, `&folder=${encodeURIComponent(deepFolder.split('/').slice(0, 50).join('/'))}`);
    expect(inFolder.items.map((s) => s.id)).toEqual([deep.id]);
  });
});

describe('one folder of 10,000 runs', () => {
  const COUNT = 10_000;
  let proxy: RunningProxy;

  beforeAll(async () => {
    const root = await finishedRoot('flat');
    const template = path.join(base, 'template.mat');
    await writeTinyRun(template);
    const bytes = await readFile(template);
    const anHourAgo = new Date(Date.now() - 3600_000);
    for (let i = 0; i < COUNT; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, async (_, j) => {
          const file = path.join(root, `Plant_step_case${String(i + j).padStart(5, '0')}_20260101_000000.mat`);
          await writeFile(file, bytes);
          await utimes(file, anHourAgo, anHourAgo);
        })
      );
    }
    await copyFile(template, path.join(root, 'zz-last.mat'));
    proxy = await startTestProxy([{ name: 'flat', path: root }]);
  }, 120_000);

  afterAll(() => proxy.close());

  it('lists every run, pages through them in order and finds one by name', async () => {
    const first = await listAll(proxy);
    expect(first.total).toBe(COUNT + 1);
    expect(first.items).toHaveLength(1000);
    expect(first.items.every((s) => s.status === 'ok')).toBe(true);
    const last = (await requestJson<SimulationPage>(proxy, `/api/v1/simulations?limit=1000&offset=${COUNT - 999}&sort=path`)).body;
    expect(last.items.map((s) => s.path).slice(-2)).toEqual(['Plant_step_case09999_20260101_000000.mat', 'zz-last.mat']);
    const found = (await requestJson<SimulationPage>(proxy, '/api/v1/simulations?search=case04321')).body;
    expect(found.items.map((s) => [s.condition, s.model])).toEqual([['case04321', 'Plant']]);
    expect(await queryValues(proxy, found.items[0], 'x')).toEqual([0, 0.5, 1]);
  });
});

describe('a model with 200,000 variable names', () => {
  const COUNT = 200_000;
  let proxy: RunningProxy;
  let run: Simulation;
  const nameOf = (i: number) => `plant.zone${Math.floor(i / 1000)}.cell[${i % 1000}].T`;

  beforeAll(async () => {
    const root = await finishedRoot('wide');
    const spec: ResultSpec = {
      startTime: 0,
      stopTime: 1,
      variables: Array.from({ length: COUNT }, (_, i) => ({ kind: 'trajectory' as const, name: nameOf(i), unit: 'K', description: `cell ${i}` })),
    };
    const trajectories: Record<string, number[]> = {};
    for (let i = 0; i < COUNT; i++) {
      trajectories[nameOf(i)] = TIME.map((t) => i + t);
    }
    await writeResultFile(path.join(root, 'huge-model.mat'), spec, { time: TIME, trajectories });
    proxy = await startTestProxy([{ name: 'wide', path: root }]);
    run = (await listAll(proxy)).items[0];
  }, 120_000);

  afterAll(() => proxy.close());

  it('is catalogued with all its variables', () => {
    expect(run).toMatchObject({ status: 'ok', variableCount: COUNT + 1, timePointCount: 3 });
  });

  it('pages, searches and globs its variables, and reads the last of them exactly', async () => {
    const page = (await requestJson<VariablePage>(proxy, `/api/v1/simulations/${run.id}/variables?limit=100&offset=199950`)).body;
    expect(page.total).toBe(COUNT + 1);
    expect(page.items.at(-1)).toMatchObject({ name: nameOf(COUNT - 1), unit: 'K', description: `cell ${COUNT - 1}` });
    const searched = (await requestJson<VariablePage>(proxy, `/api/v1/simulations/${run.id}/variables?search=cell%20123456`)).body;
    expect(searched.items.map((v) => v.name)).toEqual([nameOf(123456)]);
    const globbed = (await requestJson<VariablePage>(proxy, `/api/v1/simulations/${run.id}/variables?glob=plant.zone199.cell%5B99*%5D.T&limit=1000`)).body;
    expect(globbed.total).toBe(11);
    expect(await queryValues(proxy, run, nameOf(COUNT - 1))).toEqual(TIME.map((t) => COUNT - 1 + t).map(Math.fround));
  });

  it('refuses a pattern that would return more series than the cap, before reading anything', async () => {
    const { status, body } = await requestJson<ErrorBody>(proxy, '/api/v1/query', { body: { simulations: [run.id], variables: ['plant.*'] } });
    expect(status).toBe(400);
    expect(body.error.code).toBe('too_many_series');
  });
});
