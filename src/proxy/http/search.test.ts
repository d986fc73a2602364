/**
 * The API beyond the foundation contract: simulation search, variable patterns across runs,
 * parameters and their differences, events, query patterns with their cap, readiness, OpenAPI.
 */
import { mkdir, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ErrorBody, EventPage, ParameterDiff, QueryResponse, Series, SeriesError, SharedVariablePage, SimulationPage, VariablePage } from '../../shared/api';
import { simulationId } from '../../engine/catalog/ids';
import type { RunningProxy } from '../main';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { writeResultFile, type ResultSpec } from '../../engine/writer/mat4-writer';

const KEY = 'search-key-0123456789';
let proxy: RunningProxy;
let dir: string;

const TIME = [0, 0.5, 1, 1, 1.5, 2, 2, 3];

function spec(gain: number, extra: ResultSpec['variables'] = []): ResultSpec {
  return {
    startTime: 0,
    stopTime: 3,
    variables: [
      { kind: 'trajectory', name: 'wall.T[1]', unit: 'K', description: 'Wall temperature' },
      { kind: 'trajectory', name: 'wall.T[2]', unit: 'K', description: 'Wall temperature' },
      { kind: 'trajectory', name: 'room.T', unit: 'K', description: 'Room air' },
      { kind: 'parameter', name: 'gain', value: gain },
      { kind: 'parameter', name: 'area', unit: 'm2', value: 12 },
      ...extra,
    ],
  };
}

async function writeRun(relativePath: string, gain: number, extra: ResultSpec['variables'] = []): Promise<string> {
  const file = path.join(dir, relativePath);
  await mkdir(path.dirname(file), { recursive: true });
  const trajectories: Record<string, number[]> = {};
  for (const v of spec(gain, extra).variables) {
    if (v.kind === 'trajectory') {
      trajectories[v.name] = TIME.map((t, i) => t * gain + i);
    }
  }
  await writeResultFile(file, spec(gain, extra), { time: TIME, trajectories });
  const past = new Date(Date.now() - 60_000);
  await utimes(file, past, past);
  return simulationId('lab', relativePath);
}

const get = <T>(route: string) => requestJson<T & ErrorBody>(proxy, route, { key: KEY });
const query = (body: unknown) => requestJson<QueryResponse & ErrorBody>(proxy, '/api/v1/query', { body, key: KEY });

let a: string;
let b: string;
let c: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'simviz-search-'));
  a = await writeRun('hp/HeatPump_Cooling_T35_20250314_093015.mat', 1);
  b = await writeRun('hp/HeatPump_Cooling_T40_20250315_093015.mat', 2, [{ kind: 'trajectory', name: 'extra.y' }]);
  c = await writeRun('boiler/Boiler_Heating_T7_20240101_120000.mat', 1);
  proxy = await startTestProxy([{ name: 'lab', path: dir }], [KEY]);
});

afterAll(async () => {
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

describe('readiness and the API description', () => {
  it('is ready once scanned, without a key', async () => {
    const { status, body } = await requestJson(proxy, '/api/v1/ready');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ready', simulations: 3 });
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const { status, body } = await get<{ openapi: string; paths: Record<string, unknown> }>('/api/v1/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/health',
        '/api/v1/ready',
        '/api/v1/simulations',
        '/api/v1/simulations/{id}',
        '/api/v1/simulations/{id}/variables',
        '/api/v1/simulations/{id}/parameters',
        '/api/v1/simulations/{id}/events',
        '/api/v1/variables',
        '/api/v1/parameters/diff',
        '/api/v1/query',
      ])
    );
  });
});

describe('simulation search', () => {
  it('searches metadata, filters by folder, sorts and pages', async () => {
    const found = await get<SimulationPage>('/api/v1/simulations?search=heatpump%20cooling&sort=runAt&order=desc');
    expect(found.body.items.map((s) => s.id)).toEqual([b, a]);
    expect(found.body.items[0]).toMatchObject({ model: 'HeatPump', experiment: 'Cooling', condition: 'T40', folder: 'hp' });
    const boiler = await get<SimulationPage>('/api/v1/simulations?folder=boiler&status=ok');
    expect(boiler.body).toMatchObject({ total: 1, items: [{ id: c }] });
    const paged = await get<SimulationPage>('/api/v1/simulations?sort=name&limit=1&offset=1');
    expect(paged.body).toMatchObject({ total: 3, items: [{ id: a }] });
  });

  it.each([
    ['an unknown field', '/api/v1/simulations?colour=red', /must NOT have additional properties/],
    ['an unknown sort key', '/api/v1/simulations?sort=colour', /sort/],
    ['an unknown status', '/api/v1/simulations?status=fine', /status/],
  ])('rejects %s with 400', async (_, route, message) => {
    const { status, body } = await get(route);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(message);
  });
});

describe('variables', () => {
  it('match globs and anchored regular expressions in one simulation', async () => {
    const glob = await get<VariablePage>(`/api/v1/simulations/${a}/variables?glob=${encodeURIComponent('wall.T[?]')}`);
    expect(glob.body.items.map((v) => v.name)).toEqual(['wall.T[1]', 'wall.T[2]']);
    const regex = await get<VariablePage>(`/api/v1/simulations/${a}/variables?regex=${encodeURIComponent('(room|wall)\\.T.*')}&search=room`);
    expect(regex.body.items.map((v) => v.name)).toEqual(['room.T']);
  });

  it('refuses regular expressions that cannot run in linear time, saying why', async () => {
    const { status, body } = await get(`/api/v1/simulations/${a}/variables?regex=${encodeURIComponent('(a)\\1')}`);
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: 'bad_pattern', message: expect.stringContaining('cannot be matched in linear time') });
  });

  it('are searched across several simulations, each listing the runs that have it', async () => {
    const { status, body } = await get<SharedVariablePage>(`/api/v1/variables?simulation=${a}&simulation=${b}&glob=*.*`);
    expect(status).toBe(200);
    const byName = Object.fromEntries(body.items.map((v) => [v.name, v.simulations]));
    expect(byName).toEqual({ 'wall.T[1]': [a, b], 'wall.T[2]': [a, b], 'room.T': [a, b], 'extra.y': [b] });
    expect(body.errors).toEqual([]);
    const unknown = await get(`/api/v1/variables?simulation=${a}&simulation=nope`);
    expect(unknown.status).toBe(404);
  });
});

describe('parameters', () => {
  it('lists the parameters of a run with their values', async () => {
    const { body } = await get<VariablePage>(`/api/v1/simulations/${b}/parameters`);
    expect(body.items.map((p) => [p.name, p.value, p.kind])).toEqual([
      ['gain', 2, 'parameter'],
      ['area', 12, 'parameter'],
    ]);
  });

  it('diffs several runs: only differing values unless all=true', async () => {
    const diff = await get<ParameterDiff>(`/api/v1/parameters/diff?simulation=${a}&simulation=${b}&simulation=${c}`);
    expect(diff.body).toEqual({ simulations: [a, b, c], total: 1, items: [{ name: 'gain', description: '', unit: null, values: [1, 2, 1] }] });
    const all = await get<ParameterDiff>(`/api/v1/parameters/diff?simulation=${a}&simulation=${b}&all=true`);
    expect(all.body.items.map((p) => p.name)).toEqual(['area', 'gain']);
    const one = await get(`/api/v1/parameters/diff?simulation=${a}`);
    expect(one.status).toBe(400);
  });
});

describe('events', () => {
  it('lists duplicate time stamps as events, within a range', async () => {
    expect((await get<EventPage>(`/api/v1/simulations/${a}/events`)).body).toEqual({ items: [{ time: 1 }, { time: 2 }], total: 2 });
    expect((await get<EventPage>(`/api/v1/simulations/${a}/events?from=1.5`)).body).toEqual({ items: [{ time: 2 }], total: 1 });
    expect((await get(`/api/v1/simulations/${'x'.repeat(22)}/events`)).status).toBe(404);
  });
});

describe('query patterns', () => {
  it('expands globs into one series per matching variable and simulation', async () => {
    const { status, body } = await query({ simulations: [a, b], variables: ['wall.T[*]', 'nothing.*'] });
    expect(status).toBe(200);
    const summary = body.series.map((s) => ('error' in s ? `${s.simulation === a ? 'a' : 'b'} ${s.variable}: ${s.error.code}` : `${s.simulation === a ? 'a' : 'b'} ${(s as Series).resolvedName}`));
    expect(summary).toEqual([
      'a wall.T[1]',
      'a wall.T[2]',
      'a nothing.*: unknown_variable',
      'b wall.T[1]',
      'b wall.T[2]',
      'b nothing.*: unknown_variable',
    ]);
    const first = body.series[0] as Series;
    expect(first).toMatchObject({ variable: 'wall.T[*]', time: TIME, values: TIME.map((t, i) => t + i) });
    expect((body.series[2] as SeriesError).error.message).toMatch(/no variable matches "nothing\.\*"/);
  });

  it('counts where reads were served from in /metrics', async () => {
    await query({ simulations: [a], variables: ['room.T'] });
    await query({ simulations: [a], variables: ['wall.T[1]'] });
    const text = await (await fetch(`${proxy.url}/metrics`)).text();
    const value = (line: RegExp) => Number(line.exec(text)?.[1]);
    expect(value(/^simviz_cache_hits_total\{cache="column_memory"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^simviz_column_memory_bytes (\d+)$/m)).toBeGreaterThan(0);
    // Files this small keep no summaries, and no read here was downsampled from them.
    expect(value(/^simviz_summary_memory_bytes\{kind="summaries"\} (\d+)$/m)).toBe(0);
    expect(value(/^simviz_summary_memory_bytes\{kind="edges"\} (\d+)$/m)).toBe(0);
  });

  it('refuses a query that would return more series than the cap, before reading any', async () => {
    const simulations = [a, b, c];
    const variables = Array.from({ length: 200 }, (_, i) => `wall.T[${(i % 2) + 1}]`);
    const { status, body } = await query({ simulations, variables });
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: 'too_many_series', message: expect.stringContaining('600 series, more than the limit of 500') });
  });
});
