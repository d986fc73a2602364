import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  API_REVISION,
  type ErrorBody,
  type Health,
  type QueryResponse,
  type Series,
  type SeriesError,
  type Simulation,
  type SimulationPage,
  type VariablePage,
} from '../../shared/api';
import { SERIES_MEDIA_TYPE, decodeSeriesAnswer } from '../../shared/seriesWire';
import { simulationId } from '../../engine/catalog/ids';
import type { RunningProxy } from '../main';
import { readCsv, realFixture, realFixturesDir } from '../../../tests/support/fixtures';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';

const KEY = 'test-key-0123456789';
let proxy: RunningProxy;
let scratch: string;

async function simulationNamed(name: string): Promise<Simulation> {
  const { body } = await requestJson<SimulationPage>(proxy, `/api/v1/simulations?search=${name}`, { key: KEY });
  const found = body.items.find((s) => s.name === name);
  if (!found) {
    throw new Error(`no simulation ${name}`);
  }
  return found;
}

async function query(body: unknown) {
  return requestJson<QueryResponse & ErrorBody>(proxy, '/api/v1/query', { body, key: KEY });
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'simviz-api-'));
  // A second root holding files that users also have on their shares: a broken copy and a stray file.
  await copyFile(realFixture('om119_bouncingball.mat'), path.join(scratch, 'copy.mat'));
  await writeFile(path.join(scratch, 'half-written.mat'), (await import('node:fs')).readFileSync(realFixture('dymola_chuacircuit.mat')).subarray(0, 3000));
  await writeFile(path.join(scratch, 'readme.txt'), 'not a result');
  proxy = await startTestProxy(
    [
      { name: 'real', path: realFixturesDir() },
      { name: 'scratch', path: scratch },
    ],
    [KEY, 'second-key']
  );
});

afterAll(async () => {
  await proxy.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('health and authentication', () => {
  it('answers health without a key', async () => {
    const { status, body } = await requestJson<Health>(proxy, '/api/v1/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/), simulations: 13, api: API_REVISION });
  });

  it.each([
    ['no key', undefined, 'missing API key'],
    ['a wrong key', 'nope', 'invalid API key'],
    ['an empty bearer', '', 'missing API key'],
  ])('rejects %s with 401 on every other route', async (_, key, message) => {
    for (const route of ['/api/v1/simulations', `/api/v1/simulations/${'x'.repeat(22)}`, '/api/v1/nothing-here']) {
      const { status, body, headers } = await requestJson<ErrorBody>(proxy, route, { key });
      expect(status).toBe(401);
      expect(body.error).toEqual({ code: 'unauthorized', message: expect.stringContaining(message) });
      expect(headers.get('www-authenticate')).toContain('Bearer');
    }
    const posted = await requestJson<ErrorBody>(proxy, '/api/v1/query', { key, body: { simulations: ['a'], variables: ['b'] } });
    expect(posted.status).toBe(401);
  });

  it('accepts any configured key', async () => {
    expect((await requestJson(proxy, '/api/v1/simulations', { key: 'second-key' })).status).toBe(200);
  });
});

describe('simulations', () => {
  it('lists every result file of every root, failing files with the reason', async () => {
    const { status, body } = await requestJson<SimulationPage>(proxy, '/api/v1/simulations?limit=100', { key: KEY });
    expect(status).toBe(200);
    expect(body.total).toBe(13);
    const byPath = new Map(body.items.map((s) => [`${s.root}/${s.path}`, s]));
    expect(byPath.get('real/om119_bouncingball.mat')).toMatchObject({
      name: 'om119_bouncingball',
      format: 'dymola-mat4',
      status: 'ok',
      variableCount: 11,
      timePointCount: 12,
      startTime: 0,
      stopTime: 1,
      sizeBytes: 1761,
    });
    expect(byPath.get('real/dymola_dslin_pid.mat')).toMatchObject({
      status: 'error',
      error: 'real/dymola_dslin_pid.mat: linearization result (AlinearSystem, e.g. dslin.mat), not a trajectory',
    });
    expect(byPath.get('real/matv5_missing_aclass.mat')).toMatchObject({ status: 'ok', format: 'mat5', timePointCount: 50 });
    expect(byPath.get('scratch/half-written.mat')).toMatchObject({ status: 'error', error: expect.stringMatching(/^scratch\/half-written\.mat: /) });
    expect(byPath.has('scratch/readme.txt')).toBe(false);
    expect(byPath.get('real/FallingBodyBox_res.csv')).toMatchObject({ status: 'ok', format: 'csv', timePointCount: 102 });
    // The hand-made reference table is not a plain result table: listed with the reason.
    expect(byPath.get('real/BouncingBall_res.csv')).toMatchObject({ status: 'error', error: expect.stringMatching(/^real\/BouncingBall_res\.csv: not a plain result table/) });
    for (const simulation of body.items) {
      expect(simulation.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(new Date(simulation.modifiedAt).toISOString()).toBe(simulation.modifiedAt);
    }
  });

  it('gives ids that depend only on the root name and relative path', async () => {
    const copy = await simulationNamed('copy');
    expect(copy.id).toBe(simulationId('scratch', 'copy.mat'));
    expect(copy.id).not.toBe((await simulationNamed('om119_bouncingball')).id);
  });

  it('searches, pages and validates paging', async () => {
    const page = await requestJson<SimulationPage>(proxy, '/api/v1/simulations?search=DYMOLA&limit=2&offset=1', { key: KEY });
    expect(page.body.total).toBe(7);
    expect(page.body.items).toHaveLength(2);
    const all = await requestJson<SimulationPage>(proxy, '/api/v1/simulations?search=dymola', { key: KEY });
    expect(page.body.items.map((s) => s.id)).toEqual(all.body.items.slice(1, 3).map((s) => s.id));
    for (const bad of ['limit=-1', 'limit=100000', 'offset=x', 'sort=colour', 'colour=red']) {
      const { status, body } = await requestJson<ErrorBody>(proxy, `/api/v1/simulations?${bad}`, { key: KEY });
      expect(status).toBe(400);
      expect(body.error.code).toBe('bad_request');
    }
  });

  it('returns one simulation, or 404 for unknown and malformed ids', async () => {
    const chua = await simulationNamed('dymola_chuacircuit');
    expect((await requestJson<Simulation>(proxy, `/api/v1/simulations/${chua.id}`, { key: KEY })).body).toEqual(chua);
    for (const id of ['A'.repeat(22), '..%2F..%2Fetc%2Fpasswd', 'x']) {
      const { status, body } = await requestJson<ErrorBody>(proxy, `/api/v1/simulations/${id}`, { key: KEY });
      expect(status).toBe(404);
      expect(body.error.code).toBe('not_found');
    }
  });
});

describe('variables', () => {
  it('lists variables with units, kinds and parameter values', async () => {
    const tanks = await simulationNamed('dymola_threetanks');
    const { body } = await requestJson<VariablePage>(proxy, `/api/v1/simulations/${tanks.id}/variables?search=ambient`, { key: KEY });
    expect(body.items).toContainEqual({
      name: 'system.p_ambient',
      description: 'Default ambient pressure',
      unit: 'Pa',
      displayUnit: 'bar',
      kind: 'parameter',
      valueType: null,
      value: 101325,
    });
    const all = await requestJson<VariablePage>(proxy, `/api/v1/simulations/${tanks.id}/variables?limit=1000`, { key: KEY });
    expect(all.body.total).toBe(435);
    expect(all.body.items[0]).toMatchObject({ name: 'Time', kind: 'time', unit: 's' });
  });

  it('searches descriptions too and filters by kind', async () => {
    const chua = await simulationNamed('dymola_chuacircuit');
    const { body } = await requestJson<VariablePage>(
      proxy,
      `/api/v1/simulations/${chua.id}/variables?search=current%20flowing&kind=trajectory&limit=3`,
      { key: KEY }
    );
    expect(body.items).toHaveLength(3);
    expect(body.total).toBeGreaterThan(3);
    expect(body.items.every((v) => v.kind === 'trajectory' && /current flowing/i.test(v.description))).toBe(true);
  });

  it('ranks exact and prefix name matches before other matches', async () => {
    const chua = await simulationNamed('dymola_chuacircuit');
    const { body } = await requestJson<VariablePage>(proxy, `/api/v1/simulations/${chua.id}/variables?search=g.t&limit=3`, { key: KEY });
    // File order is G.T_ref, G.T, G.T_heatPort.
    expect(body.items.map((v) => v.name)).toEqual(['G.T', 'G.T_ref', 'G.T_heatPort']);
  });

  it('answers 422 with the reason for a file that cannot be decoded', async () => {
    const dslin = await simulationNamed('dymola_dslin_pid');
    const { status, body } = await requestJson<ErrorBody>(proxy, `/api/v1/simulations/${dslin.id}/variables`, { key: KEY });
    expect(status).toBe(422);
    expect(body.error.message).toContain('linearization result');
  });
});

describe('query', () => {
  it('returns exact values for the whole run without maxDataPoints', async () => {
    const ball = await simulationNamed('om119_bouncingball');
    const { status, body } = await query({ simulations: [ball.id], variables: ['height', 'der(vel)'] });
    expect(status).toBe(200);
    const csv = readCsv(realFixture('BouncingBall_res.csv'));
    const heightColumn = csv[0].indexOf('height');
    const rows = csv.slice(2, 14);
    const [height, acceleration] = body.series as Series[];
    expect(height).toMatchObject({ simulation: ball.id, variable: 'height', simulationName: 'om119_bouncingball', kind: 'trajectory', downsampled: false });
    expect(height.time).toEqual(rows.map((r) => Number(r[1])));
    height.values.forEach((v, i) => expect(v).toBeCloseTo(Number(rows[i][heightColumn]), 6));
    expect(acceleration.values.every((v) => v === -9.81)).toBe(true);
  });

  it('widens float32 exactly and negates aliases', async () => {
    const chua = await simulationNamed('dymola_chuacircuit');
    const { body } = await query({ simulations: [chua.id], variables: ['L.i', 'L.n.i'] });
    const [current, pin] = body.series as Series[];
    expect(current.values[100]).toBe(0.1344611495733261);
    expect(pin.values[100]).toBe(-0.1344611495733261);
    expect(current.unit).toBe('A');
  });

  it('clips to [from, to] keeping one point beyond each edge', async () => {
    const ball = await simulationNamed('om119_bouncingball');
    const { body } = await query({ simulations: [ball.id], variables: ['height'], from: 0.25, to: 0.45 });
    expect((body.series[0] as Series).time).toEqual([0.2, 0.3, 0.4, 0.5]);
  });

  it('downsamples long series to maxDataPoints, keeping the extremes', async () => {
    const ebcpy = await simulationNamed('dymola_ebcpy_example');
    const full = (await query({ simulations: [ebcpy.id], variables: ['combiTimeTable.y[2]'] })).body.series[0] as Series;
    const reduced = (await query({ simulations: [ebcpy.id], variables: ['combiTimeTable.y[2]'], maxDataPoints: 200 })).body.series[0] as Series;
    expect(full.values).toHaveLength(10002);
    expect(reduced.values.length).toBeLessThanOrEqual(200);
    expect(reduced).toMatchObject({ downsampled: true, pointsInRange: 10002 });
    const numbers = (values: Array<number | null>) => values.filter((v): v is number => v !== null);
    expect(Math.max(...numbers(reduced.values))).toBe(Math.max(...numbers(full.values)));
    expect(Math.min(...numbers(reduced.values))).toBe(Math.min(...numbers(full.values)));
    expect(reduced.time[0]).toBe(full.time[0]);
    expect(reduced.time[reduced.time.length - 1]).toBe(full.time[full.time.length - 1]);
  });

  it('serves parameters as a constant over the range', async () => {
    const chua = await simulationNamed('dymola_chuacircuit');
    const series = (await query({ simulations: [chua.id], variables: ['L.L'], from: 100, to: 200 })).body.series[0] as Series;
    expect(series).toMatchObject({ kind: 'parameter', unit: 'H', values: [18, 18] });
    expect(series.time[0]).toBeLessThanOrEqual(100);
    expect(series.time[1]).toBeGreaterThanOrEqual(200);
  });

  it('matches tool-specific spellings of names', async () => {
    const box = await simulationNamed('dymola2021_fallingbodybox');
    const series = (await query({ simulations: [box.id], variables: ['bodyBox.frame_a.R.T[1,1]', 'time'] })).body.series as Series[];
    expect(series.map((s) => s.resolvedName)).toEqual(['bodyBox.frame_a.R.T[1, 1]', 'Time']);
  });

  it('answers several simulations and variables at once, with per-series errors', async () => {
    const ball = await simulationNamed('om119_bouncingball');
    const copy = await simulationNamed('copy');
    const dslin = await simulationNamed('dymola_dslin_pid');
    const { status, body } = await query({ simulations: [ball.id, copy.id, 'A'.repeat(22), dslin.id], variables: ['vel', 'no.such.variable'] });
    expect(status).toBe(200);
    expect(body.series).toHaveLength(8);
    const [vel, missing, copyVel] = body.series;
    expect((vel as Series).values).toEqual((copyVel as Series).values);
    expect((missing as SeriesError).error).toEqual({ code: 'unknown_variable', message: 'real/om119_bouncingball.mat: has no variable "no.such.variable"' });
    expect((body.series[4] as SeriesError).error.code).toBe('not_found');
    expect((body.series[6] as SeriesError).error).toMatchObject({ code: 'unreadable_simulation', message: expect.stringContaining('linearization') });
  });

  it('answers in binary form when asked, the same series as in JSON, and errors still as JSON', async () => {
    const ball = await simulationNamed('om119_bouncingball');
    const copy = await simulationNamed('copy');
    const request = { simulations: [ball.id, copy.id], variables: ['height', 'vel', 'no.such.variable'], maxDataPoints: 8 };
    const binary = async (body: unknown) => {
      const response = await fetch(`${proxy.url}/api/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', accept: `${SERIES_MEDIA_TYPE}, application/json;q=0.9` },
        body: JSON.stringify(body),
      });
      return { status: response.status, type: response.headers.get('content-type'), vary: response.headers.get('vary'), bytes: new Uint8Array(await response.arrayBuffer()) };
    };
    // Twice each, in both orders: the second answers come from the answer cache, which keeps the forms apart.
    const first = await binary(request);
    const json = await query(request);
    const again = await binary(request);
    expect(first).toMatchObject({ status: 200, type: SERIES_MEDIA_TYPE, vary: 'accept' });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(again.bytes).toEqual(first.bytes);
    expect(decodeSeriesAnswer(first.bytes)).toEqual(json.body);
    expect(json.body.series.filter((entry) => 'error' in entry)).toHaveLength(2);
    expect(json.body.series.filter((entry) => 'downsampled' in entry && entry.downsampled)).toHaveLength(4);

    const refused = await binary({ simulations: [ball.id], variables: ['*'], maxDataPoints: 0 });
    expect(refused.status).toBe(400);
    expect(refused.type).toMatch(/^application\/json/);
    expect(JSON.parse(new TextDecoder().decode(refused.bytes))).toMatchObject({ error: { code: 'bad_request' } });
  });

  it.each([
    ['an empty object', {}],
    ['no variables', { simulations: ['a'], variables: [] }],
    ['unknown fields', { simulations: ['a'], variables: ['b'], colour: 'red' }],
    ['a reversed range', { simulations: ['a'], variables: ['b'], from: 5, to: 1 }],
    ['maxDataPoints 0', { simulations: ['a'], variables: ['b'], maxDataPoints: 0 }],
    ['maxDataPoints 10^9', { simulations: ['a'], variables: ['b'], maxDataPoints: 1e9 }],
    ['a NaN time (as a string: JSON has no NaN)', { simulations: ['a'], variables: ['b'], from: 'NaN' }],
    ['a NaN time (as a bare token)', '{"simulations": ["a"], "variables": ["b"], "from": NaN}'],
    ['a string time', { simulations: ['a'], variables: ['b'], from: 'yesterday' }],
    ['malformed JSON', '{"simulations": ['],
  ])('rejects %s with 400', async (_, body) => {
    const response = await query(body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('bad_request');
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('reads a negative time range: simulations may start before 0', async () => {
    const ball = await simulationNamed('om119_bouncingball');
    const before = await query({ simulations: [ball.id], variables: ['height'], from: -10, to: -1 });
    expect(before.status).toBe(200);
    // Nothing lies in the range; one point beyond its right edge lets the line reach the border.
    expect((before.body.series[0] as Series).time).toEqual([0]);
    const across = await query({ simulations: [ball.id], variables: ['height'], from: -1, to: 0.15 });
    expect((across.body.series[0] as Series).time).toEqual([0, 0.1, 0.2]);
  });

  it('rejects oversized bodies with 413', async () => {
    const response = await query({ simulations: ['a'], variables: Array.from({ length: 1200 }, () => 'v'.repeat(1000)) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });

  it('keeps serving after every bad request', async () => {
    expect((await requestJson<Health>(proxy, '/api/v1/health')).body.status).toBe('ok');
  });
});
