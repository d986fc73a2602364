/**
 * QueryData in process, in both connection modes, on the real result files: the frames must carry
 * exactly the values the REST API answers, and every kind of bad input must stay one query's error.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';

import { realFixturesDir } from '../../../tests/support/fixtures';
import { startTestProxy } from '../../../tests/support/proxy';
import type { RunningProxy } from '../../proxy/main';
import type { Series, Simulation, SimulationPage, VariablePage } from '../../shared/api';
import { openInstance, type Instance } from '../connection/instance';
import type { Frame } from '../frames/frame';
import type { DataQueryMessage, QueryDataResponseMessage } from '../grpc/messages';
import { parseSettings } from '../settings';
import { queryData } from './queryData';
import { tableFromIPC } from 'apache-arrow';

const logger = pino({ level: 'silent' });
const KEY = 'query-data-test-key';

let proxy: RunningProxy;
let folderInstance: Instance;
let proxyInstance: Instance;

function settingsFor(uid: string, jsonData: Record<string, unknown>, secure: Record<string, string> = {}) {
  return parseSettings({ id: 1, name: uid, url: '', uid, jsonData: Buffer.from(JSON.stringify(jsonData)), decryptedSecureJsonData: secure, lastUpdatedMS: 1 });
}

beforeAll(async () => {
  const folder = realFixturesDir();
  proxy = await startTestProxy([{ name: 'real', path: folder }], [KEY]);
  folderInstance = await openInstance(settingsFor('folder', { mode: 'folder', folder: `real=${folder}`, cacheFolder: mkdtempSync(path.join(tmpdir(), 'simviz-qd-')) }), logger);
  proxyInstance = await openInstance(settingsFor('proxy', { mode: 'proxy', proxyUrl: proxy.url }, { apiKey: KEY }), logger);
}, 60_000);

afterAll(async () => {
  await folderInstance?.close();
  await proxyInstance?.close();
  await proxy?.close();
});

function message(refId: string, json: unknown, range = { fromEpochMS: 0, toEpochMS: 1e12 }): DataQueryMessage {
  return { refId, maxDataPoints: 1000, intervalMS: 1000, timeRange: range, json: Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)), queryType: '' };
}

async function ask(instance: Instance, ...queries: DataQueryMessage[]): Promise<QueryDataResponseMessage> {
  return queryData(instance, queries, new AbortController().signal, logger);
}

/** The frames of one answer decoded back from Arrow: names, labels and the values of each field. */
function decoded(response: QueryDataResponseMessage, refId: string) {
  const answer = response.responses[refId];
  return answer.frames.map((bytes) => {
    const table = tableFromIPC(bytes);
    return {
      name: table.schema.metadata.get('name'),
      fields: table.schema.fields.map((field) => ({
        name: field.name,
        type: field.metadata.get('tstype'),
        labels: JSON.parse(field.metadata.get('labels') ?? '{}') as Record<string, string>,
        config: JSON.parse(field.metadata.get('config') ?? '{}') as Frame['fields'][number]['config'],
        values: table.getChild(field.name)!.toJSON() as unknown[],
      })),
    };
  });
}

async function rest<T>(instance: Instance, url: string, body?: unknown): Promise<T> {
  const response = await instance.upstream.request({
    method: body ? 'POST' : 'GET',
    url,
    headers: { accept: ['application/json'], ...(body ? { 'content-type': ['application/json'] } : {}) },
    body: body ? Buffer.from(JSON.stringify(body)) : undefined,
  });
  expect(response.status).toBe(200);
  return JSON.parse(Buffer.from(response.body).toString()) as T;
}

async function run(instance: Instance, search: string): Promise<Simulation> {
  const page = await rest<SimulationPage>(instance, `/api/v1/simulations?search=${encodeURIComponent(search)}`);
  expect(page.items.length).toBeGreaterThan(0);
  return page.items[0];
}

async function trajectories(instance: Instance, id: string, count: number): Promise<string[]> {
  const page = await rest<VariablePage>(instance, `/api/v1/simulations/${encodeURIComponent(id)}/variables?kind=trajectory&limit=${count + 1}`);
  return page.items.map((v) => v.name).filter((name) => name !== 'Time' && name !== 'time').slice(0, count);
}

describe.each([
  ['folder', () => folderInstance],
  ['proxy', () => proxyInstance],
])('QueryData in %s mode', (_mode, instanceOf) => {
  it.each(['dymola_chuacircuit', 'om119_bouncingball'])('answers time series of %s with the values the REST API gives', async (search) => {
    const instance = instanceOf();
    const simulation = await run(instance, search);
    const variables = await trajectories(instance, simulation.id, 3);
    const response = await ask(instance, message('A', { queryType: 'timeseries', simulations: [simulation.id], variables, timeMode: 'wholeRun', maxDataPoints: 100_000 }));
    expect(response.responses.A.error).toBeUndefined();
    const frames = decoded(response, 'A');
    const reference = await rest<{ series: Series[] }>(instance, '/api/v1/query', { simulations: [simulation.id], variables, maxDataPoints: 100_000 });
    expect(frames).toHaveLength(variables.length);
    frames.forEach((frame, k) => {
      const series = reference.series[k];
      expect(frame.fields[0]).toMatchObject({ name: 'Time', type: 'time' });
      // Nanoseconds from the Arrow column, back to simulation seconds.
      expect((frame.fields[0].values as number[]).map((ms) => ms / 1000)).toEqual(series.time.map((t) => expect.closeTo(t, 6)));
      expect(frame.fields[1].values).toEqual(series.values);
      expect(frame.fields[1].labels).toMatchObject({ simulation: simulation.name, variable: series.resolvedName });
      expect(frame.name).toBe(`${simulation.name} ${series.resolvedName}`);
    });
  });

  it('clips to the dashboard range by default, and to the last N seconds of the run when asked', async () => {
    const instance = instanceOf();
    const simulation = await run(instance, 'dymola_chuacircuit');
    const [variable] = await trajectories(instance, simulation.id, 1);
    const stop = simulation.stopTime!;
    const query = { queryType: 'timeseries', simulations: [simulation.id], variables: [variable] };
    const seconds = (frame: ReturnType<typeof decoded>[number]) => (frame.fields[0].values as number[]).map((ms) => ms / 1000);
    const expectWindow = async (frame: ReturnType<typeof decoded>[number], from: number, to: number) => {
      const [series] = (await rest<{ series: Series[] }>(instance, '/api/v1/query', { simulations: [simulation.id], variables: [variable], from, to, maxDataPoints: 1000 })).series;
      expect(seconds(frame)).toEqual(series.time.map((t) => expect.closeTo(t, 6)));
      expect(frame.fields[1].values).toEqual(series.values);
    };
    const dashboard = decoded(await ask(instance, message('A', query, { fromEpochMS: 0, toEpochMS: (stop / 2) * 1000 })), 'A')[0];
    await expectWindow(dashboard, 0, stop / 2);
    const last = decoded(await ask(instance, message('A', { ...query, timeMode: 'lastSeconds', lastSeconds: stop / 10 })), 'A')[0];
    await expectWindow(last, stop - stop / 10, stop);
    expect(Math.max(...seconds(last))).toBeCloseTo(stop, 6);
    expect(seconds(last).length).toBeLessThan(seconds(dashboard).length);
  });

  it('reads the newest finished run matching a search', async () => {
    const instance = instanceOf();
    const page = await rest<SimulationPage>(instance, '/api/v1/simulations?search=dymola&status=ok&sort=modifiedAt&order=desc&limit=1');
    const newest = page.items[0];
    const [variable] = await trajectories(instance, newest.id, 1);
    const response = await ask(instance, message('A', { queryType: 'timeseries', newest: { search: 'dymola' }, variables: [variable], timeMode: 'wholeRun' }));
    expect(response.responses.A.error).toBeUndefined();
    expect(decoded(response, 'A')[0].fields[1].labels.simulation).toBe(newest.name);
    const none = await ask(instance, message('B', { queryType: 'timeseries', newest: { search: 'no-such-run-anywhere' }, variables: ['x'] }));
    expect(none.responses.B.error).toBe('no finished run matches search "no-such-run-anywhere"');
  });

  it('answers tables, parameters, events and stats', async () => {
    const instance = instanceOf();
    const simulation = await run(instance, 'dymola_chuacircuit');
    const variables = await trajectories(instance, simulation.id, 2);
    const response = await ask(
      instance,
      message('T', { queryType: 'table', simulations: [simulation.id], variables, timeMode: 'wholeRun' }),
      message('P', { queryType: 'parameters', simulations: [simulation.id] }),
      message('E', { queryType: 'events', simulations: [simulation.id], runBounds: true, timeMode: 'wholeRun' }),
      message('S', { queryType: 'stats', statsTable: 'status' })
    );
    for (const refId of ['T', 'P', 'E', 'S']) {
      expect(response.responses[refId].error).toBeUndefined();
    }
    expect(decoded(response, 'T')[0].fields.map((f) => f.name)).toEqual(['Time', ...variables]);
    const parameters = decoded(response, 'P')[0];
    expect(parameters.fields.map((f) => f.name)).toEqual(['Parameter', 'Value', 'Unit', 'Description']);
    expect(parameters.fields[0].values.length).toBeGreaterThan(0);
    const events = decoded(response, 'E')[0];
    expect(events.fields.map((f) => f.name)).toEqual(['Time', 'text', 'simulation', 'tags']);
    expect(events.fields[1].values).toEqual(expect.arrayContaining([`${simulation.name} starts`, `${simulation.name} stops`]));
    const status = decoded(response, 'S')[0];
    expect(status.fields[0].values).toEqual(['ok', 'writing', 'error']);
    const total = (status.fields[1].values as number[]).reduce((a, b) => a + b, 0);
    expect(total).toBe((await rest<SimulationPage>(instance, '/api/v1/simulations?limit=1')).total);
  });

  it("uses the query's own maxDataPoints (queryMaxDataPoints) over the panel's, and the panel's otherwise", async () => {
    const instance = instanceOf();
    const simulation = await run(instance, 'dymola_chuacircuit');
    const [variable] = await trajectories(instance, simulation.id, 1);
    const query = { queryType: 'timeseries', simulations: [simulation.id], variables: [variable], timeMode: 'wholeRun', maxDataPoints: 1000 };
    const points = async (json: object) => (decoded(await ask(instance, { ...message('A', json), maxDataPoints: 1000 }), 'A')[0].fields[1].values as unknown[]).length;
    const own = await points({ ...query, queryMaxDataPoints: 40 });
    expect(own).toBeLessThanOrEqual(40);
    expect(await points(query)).toBeGreaterThan(own);
  });

  it('gives malformed, incomplete and unknown queries their own errors and answers the rest', async () => {
    const instance = instanceOf();
    const simulation = await run(instance, 'dymola_chuacircuit');
    const [variable] = await trajectories(instance, simulation.id, 1);
    const response = await ask(
      instance,
      message('bad', '{"queryType": "timeseries", '),
      message('array', '[1, 2]'),
      message('type', { queryType: 'spectrum', simulations: [simulation.id], variables: [variable] }),
      message('empty', { queryType: 'timeseries', simulations: [], variables: [] }),
      message('unknown', { queryType: 'timeseries', simulations: ['no-such-id'], variables: [variable] }),
      message('ok', { queryType: 'timeseries', simulations: [simulation.id], variables: [variable], timeMode: 'wholeRun' })
    );
    expect(response.responses.bad.error).toMatch(/^Query bad: the query is not JSON/);
    expect(response.responses.array.error).toBe('Query array: the query must be a JSON object');
    expect(response.responses.type.error).toMatch(/^Query type: unknown query type "spectrum"/);
    expect(response.responses.empty.error).toBe('Query empty: choose simulations and variables first');
    expect(response.responses.unknown.error).toMatch(/no-such-id/);
    expect(response.responses.ok.error).toBeUndefined();
    expect(response.responses.ok.frames).toHaveLength(1);
  });
});

describe('QueryData against a proxy that fails', () => {
  it('says a dead proxy cannot be reached, per query', async () => {
    const dead = await openInstance(settingsFor('dead', { mode: 'proxy', proxyUrl: 'http://127.0.0.1:9', timeout: 2 }), logger);
    const response = await ask(dead, message('A', { queryType: 'stats' }));
    expect(response.responses.A.error).toMatch(/cannot be reached.*127\.0\.0\.1:9/);
  });

  it('stops waiting for a proxy that never answers when Grafana cancels the request', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = http.createServer(() => undefined);
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const slow = await openInstance(settingsFor('slow', { mode: 'proxy', proxyUrl: url, timeout: 60 }), logger);
      const abort = new AbortController();
      const started = Date.now();
      setTimeout(() => abort.abort(), 200);
      const response = await queryData(slow, [message('A', { queryType: 'stats' })], abort.signal, logger);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(response.responses.A.error).toBe('Query A: cancelled');
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
