import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { dateTime, FieldType, type DataFrame, type DataQueryRequest, type DataQueryResponse, type Field } from '@grafana/data';

import { harnessDatasource, runQueries, sendJson, startHarness, type HarnessProcess } from '../../../tests/support/grafanaHarness';
import type { DataSource } from '../datasource';
import { STATS_TABLES, type SimVizQuery, type StatsTable } from '../types';

let harness: HarnessProcess;
let ds: DataSource;

beforeAll(async () => {
  harness = await startHarness();
  ds = harnessDatasource(harness);
}, 60_000);

afterAll(() => harness?.stop());

function request(targets: SimVizQuery[]): DataQueryRequest<SimVizQuery> {
  const range = { from: dateTime(0), to: dateTime(1000), raw: { from: dateTime(0), to: dateTime(1000) } };
  return { app: 'dashboard', requestId: 'S1', interval: '1s', intervalMs: 1000, maxDataPoints: 100, range, scopedVars: {}, targets, timezone: 'utc', startTime: 0 };
}

async function statsFrame(statsTable?: StatsTable, source: DataSource = ds): Promise<DataQueryResponse> {
  return runQueries(source, request([{ refId: 'S', queryType: 'stats', simulations: [], variables: [], statsTable }]));
}

async function frameOf(statsTable?: StatsTable): Promise<DataFrame> {
  const response = await statsFrame(statsTable);
  expect(response.errors).toBeUndefined();
  expect(response.data).toHaveLength(1);
  return response.data[0] as DataFrame;
}

function fieldNamed(frame: DataFrame, name: string): Field {
  const found = frame.fields.find((f) => f.name === name);
  if (!found) {
    throw new Error(`no field ${name} in ${frame.fields.map((f) => f.name).join(', ')}`);
  }
  return found;
}

describe('stats query type', () => {
  it('needs no simulations: the summary is one row with version, status, uptime and memory in their units', async () => {
    const frame = await frameOf();
    const stats = await ds.client.stats();
    expect(frame.length).toBe(1);
    expect(fieldNamed(frame, 'Version').values).toEqual([stats.version]);
    expect(fieldNamed(frame, 'Status').values).toEqual(['ready']);
    expect(fieldNamed(frame, 'Started')).toMatchObject({ type: FieldType.time, values: [Date.parse(stats.startedAt)] });
    expect(fieldNamed(frame, 'Uptime').config.unit).toBe('s');
    expect(fieldNamed(frame, 'Simulations').values).toEqual([stats.simulations.total]);
    expect(fieldNamed(frame, 'Memory (RSS)')).toMatchObject({ type: FieldType.number, config: { unit: 'bytes' } });
  });

  it('counts simulations by status as the proxy lists them', async () => {
    const frame = await frameOf('status');
    expect(fieldNamed(frame, 'Status').values).toEqual(['ok', 'writing', 'error']);
    const counts = fieldNamed(frame, 'Simulations').values as number[];
    for (const [k, status] of (['ok', 'writing', 'error'] as const).entries()) {
      expect(counts[k]).toBe((await ds.client.listSimulations({ status, limit: 0 })).total);
    }
    expect(counts[2]).toBeGreaterThan(0);
  });

  it('lists recent failures with when they were seen, the path and the reason', async () => {
    const frame = await frameOf('failures');
    const failing = await ds.client.listSimulations({ status: 'error', limit: 1000 });
    expect(frame.length).toBe(Math.min(failing.total, 20));
    expect(fieldNamed(frame, 'Seen').type).toBe(FieldType.time);
    const rows = (fieldNamed(frame, 'Path').values as string[]).map((path, i) => `${fieldNamed(frame, 'Root').values[i]}/${path}: ${fieldNamed(frame, 'Reason').values[i]}`);
    expect(rows.sort()).toEqual(failing.items.map((s) => `${s.root}/${s.path}: ${s.error}`).sort());
  });

  it('gives the last scan in milliseconds and the files it found', async () => {
    const frame = await frameOf('indexing');
    const { total } = await ds.client.listSimulations({ limit: 0 });
    expect(frame.length).toBe(1);
    expect(fieldNamed(frame, 'Files scanned').values).toEqual([total]);
    expect(fieldNamed(frame, 'Scan duration').config.unit).toBe('ms');
    expect(fieldNamed(frame, 'Index load').config.unit).toBe('ms');
    expect(fieldNamed(frame, 'Last scan').type).toBe(FieldType.time);
  });

  it('gives per-route timings in milliseconds, including the routes this test just used', async () => {
    await ds.client.listSimulations({ limit: 1 });
    const frame = await frameOf('routes');
    const routes = fieldNamed(frame, 'Route').values as string[];
    const row = routes.indexOf('/api/v1/simulations');
    expect(row).toBeGreaterThanOrEqual(0);
    expect(fieldNamed(frame, 'Requests').values[row]).toBeGreaterThan(0);
    for (const name of ['p50', 'p95', 'p99', 'Max']) {
      expect(fieldNamed(frame, name).config.unit).toBe('ms');
      expect(fieldNamed(frame, name).values[row]).toBeGreaterThan(0);
    }
    expect(frame.meta?.notices?.[0].text).toContain('10 minutes');
  });

  it('gives cache hit ratios as a fraction and sizes in bytes', async () => {
    const frame = await frameOf('caches');
    expect(fieldNamed(frame, 'Cache').values).toEqual(expect.arrayContaining(['open_files']));
    expect(fieldNamed(frame, 'Hit ratio').config.unit).toBe('percentunit');
    expect(fieldNamed(frame, 'Size').config.unit).toBe('bytes');
    (fieldNamed(frame, 'Hit ratio').values as Array<number | null>).forEach((ratio) => ratio === null || expect(ratio).toBeLessThanOrEqual(1));
  });

  it('has a table for every option the editor offers', async () => {
    for (const table of STATS_TABLES) {
      expect((await frameOf(table)).fields.length).toBeGreaterThan(1);
    }
  });

  it('says the proxy is too old when it has no stats route', async () => {
    // A proxy before the route: fastify's 404 for an unknown route.
    const old = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'Route GET:/api/v1/stats not found' } }));
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(old.address() as AddressInfo).port}`;
      // The backend calls the URL saved in the datasource's settings, so save it there.
      expect(await sendJson('PUT', `${harness.url}/api/datasources/uid/simviz-unreachable`, { jsonData: { proxyUrl: url } })).toBe(200);
      const response = await statsFrame('summary', harnessDatasource(harness, 'simviz-unreachable', url));
      expect(response.errors).toEqual([{ refId: 'S', message: expect.stringContaining('has no statistics (GET /api/v1/stats): update it'), status: 400 }]);
    } finally {
      old.closeAllConnections();
      old.close();
      await sendJson('POST', `${harness.url}/api/harness/reset`, {});
    }
  });
});
