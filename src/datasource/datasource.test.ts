import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { dateTime, FieldType, type DataFrame, type DataQueryRequest, type DataQueryResponse, type Field } from '@grafana/data';

import { HarnessTemplateSrv } from '../../tests/harness/host/services';
import { harnessDatasource, newestRunName, runQueries, sendJson, startHarness, type HarnessProcess } from '../../tests/support/grafanaHarness';
import { lastValueFrom } from 'rxjs';

import { DataSource } from './datasource';
import type { SimVizQuery, SimVizVariableQuery } from './types';
import type { SimVizVariableSupport } from './variables';

let harness: HarnessProcess;

beforeAll(async () => {
  harness = await startHarness();
}, 60_000);

afterAll(() => harness?.stop());

function datasourceFor(uid: string, proxyUrl = harness.proxyUrl, templateSrv = new HarnessTemplateSrv()): DataSource {
  return harnessDatasource(harness, uid, proxyUrl, templateSrv);
}

function request<Q extends SimVizQuery | SimVizVariableQuery = SimVizQuery>(targets: Q[], fromMs: number, toMs: number, maxDataPoints = 1000): DataQueryRequest<Q> {
  const range = { from: dateTime(fromMs), to: dateTime(toMs), raw: { from: dateTime(fromMs), to: dateTime(toMs) } };
  return {
    app: 'dashboard',
    requestId: 'Q1',
    interval: '1s',
    intervalMs: 1000,
    maxDataPoints,
    range,
    scopedVars: {},
    targets,
    timezone: 'utc',
    startTime: 0,
  };
}

/** A time field's values in milliseconds at the nanosecond resolution the backend sends. */
function exactTimes(field: Field): number[] {
  return (field.values as number[]).map((ms, i) => ms + (field.nanos?.[i] ?? 0) / 1e6);
}

async function idOf(ds: DataSource, name: string): Promise<string> {
  const page = await ds.client.listSimulations({ search: name });
  return page.items[0].id;
}

async function run(ds: DataSource, targets: SimVizQuery[], fromMs = 0, toMs = 10_000): Promise<DataQueryResponse> {
  return runQueries(ds, request(targets, fromMs, toMs));
}

describe('testDatasource: the backend’s health check (Save & test)', () => {
  /** Settings saved as the editor saves them, put back afterwards. */
  async function withSettings<T>(uid: string, jsonData: object, body: () => Promise<T>): Promise<T> {
    expect(await sendJson('PUT', `${harness.url}/api/datasources/uid/${uid}`, { jsonData })).toBe(200);
    try {
      return await body();
    } finally {
      await sendJson('POST', `${harness.url}/api/harness/reset`, {});
    }
  }

  it('reports version and simulation count of a proxy', async () => {
    const result = await datasourceFor('simviz').testDatasource();
    expect(result).toEqual({
      status: 'success',
      message: expect.stringMatching(/^Connected to the SimViz proxy \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+: 22 simulations$/),
    });
  });

  it('reports the folder and its simulation count in folder mode', async () => {
    const result = await datasourceFor('simviz-folder').testDatasource();
    const folder = harness.examplesFolder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(result).toEqual({
      status: 'success',
      message: expect.stringMatching(new RegExp(`^SimViz \\d+\\.\\d+\\.\\d+ reads the folder ${folder} on the Grafana server: \\d+ simulations$`)),
    });
  });

  it('says when the folder does not exist on the Grafana server', async () => {
    await withSettings('simviz-folder', { mode: 'folder', folder: '/no/such/simviz/folder' }, async () => {
      await expect(datasourceFor('simviz-folder').testDatasource()).rejects.toMatchObject({
        status: 'error',
        message: 'The folder /no/such/simviz/folder does not exist on the Grafana server',
      });
    });
  });

  it('tells a rejected key apart', async () => {
    await expect(datasourceFor('simviz-wrong-key').testDatasource()).rejects.toMatchObject({ status: 'error', message: 'The SimViz proxy rejected the API key' });
  });

  it('tells an unreachable proxy apart, naming the URL', async () => {
    await expect(datasourceFor('simviz-unreachable', 'http://127.0.0.1:9').testDatasource()).rejects.toMatchObject({
      status: 'error',
      message: 'Cannot reach the SimViz proxy at http://127.0.0.1:9',
    });
  });

  it('tells a proxy too old for this datasource apart, with its version', async () => {
    // A 0.1 proxy: the same health route, without the API revision later proxies report.
    const old = http.createServer((req, res) => {
      res.writeHead(req.url === '/api/v1/health' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/api/v1/health' ? { status: 'ok', version: '0.1.0', simulations: 3 } : { error: { code: 'not_found', message: 'no route' } }));
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(old.address() as AddressInfo).port}`;
    try {
      // The backend calls the URL saved in the datasource's settings, so save it there (as a datasource from before the modes: no mode).
      await withSettings('simviz-unreachable', { proxyUrl: url }, async () => {
        await expect(datasourceFor('simviz-unreachable', url).testDatasource()).rejects.toMatchObject({
          status: 'error',
          message: `The SimViz proxy at ${url} is too old (version 0.1.0)`,
          // Grafana shows the details under the message.
          error: { details: { message: expect.stringContaining('update the proxy') } },
        });
      });
    } finally {
      old.closeAllConnections();
      old.close();
    }
  });

  it('asks for the URL when none is set', async () => {
    await withSettings('simviz', { mode: 'proxy' }, async () => {
      await expect(datasourceFor('simviz', '').testDatasource()).rejects.toMatchObject({
        status: 'error',
        message: 'Set the SimViz proxy URL first, e.g. http://simviz-proxy:9800',
      });
    });
  });
});

describe('query', () => {
  it('returns one typed time-series frame per simulation and variable, in the dashboard range', async () => {
    const ds = datasourceFor('simviz');
    const id = await idOf(ds, 'RLCCircuit underdamped');
    const response = await run(ds, [{ refId: 'A', simulations: [id], variables: ['capacitor.v', 'inductor.i'] }], 0, 20);
    expect(response.errors).toBeUndefined();
    expect(response.data).toHaveLength(2);
    const [voltage, current] = response.data;
    expect(voltage.refId).toBe('A');
    expect(voltage.fields[0]).toMatchObject({ name: 'Time', type: FieldType.time });
    expect(voltage.fields[1]).toMatchObject({
      type: FieldType.number,
      labels: { simulation: 'RLCCircuit_step_underdamped_20261101_091500', variable: 'capacitor.v' },
      config: { unit: 'volt', displayNameFromDS: 'RLCCircuit_step_underdamped_20261101_091500 capacitor.v' },
    });
    expect(current.fields[1].config.unit).toBe('amp');
    // Simulation seconds t are shown at t·1000 ms; the range 0..20 ms is 0..0.02 s plus one point beyond each edge.
    // Grafana's frame JSON carries whole milliseconds and the nanoseconds beyond them, so the edge point at 20 ms is exactly 20.
    const times = exactTimes(voltage.fields[0]);
    expect(times[0]).toBe(0);
    expect(times[times.length - 1]).toBeGreaterThan(20);
    expect(times[times.length - 2]).toBeLessThanOrEqual(20);
  });

  it('expands multi-value template variables and scoped variables', async () => {
    const templateSrv = new HarnessTemplateSrv();
    const ds = datasourceFor('simviz', harness.proxyUrl, templateSrv);
    const runs = await Promise.all(['d0p5', 'd1_', 'd2_'].map((tag) => idOf(ds, `SpringDamper_sweep_${tag}`)));
    templateSrv.variables = [
      { name: 'run', current: runs },
      { name: 'signal', current: ['mass.s', 'mass.v'] },
    ];
    const response = await run(ds, [{ refId: 'A', simulations: ['$run'], variables: ['${signal}', 'mass.s'] }]);
    expect(response.data).toHaveLength(6);
    const scoped = await runQueries(ds, {
      ...request([{ refId: 'B', simulations: ['$run'], variables: ['$signal'] }], 0, 10_000),
      scopedVars: { run: { text: 'one', value: runs[0] }, signal: { text: 's', value: 'spring.f' } },
    });
    expect(scoped.data.map((f: DataFrame) => f.name)).toEqual(['SpringDamper_sweep_d0p5_20261103_100000 spring.f']);
  });

  it('refuses hidden and incomplete queries, so that Grafana does not send them', async () => {
    const ds = datasourceFor('simviz');
    expect(ds.filterQuery({ refId: 'A', simulations: [], variables: ['x'] })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', simulations: ['a'], variables: ['x'], hide: true })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', simulations: [], variables: ['x'], newest: { search: 'RLC' } })).toBe(true);
    const response = await run(ds, [{ refId: 'A', simulations: [], variables: [] }]);
    expect(response).toEqual({ data: [] });
  });

  it('answers the same frames in folder mode as through the proxy, on the same example folder', async () => {
    const proxy = datasourceFor('simviz');
    const folder = datasourceFor('simviz-folder');
    const id = await idOf(proxy, 'RLCCircuit');
    expect(await idOf(folder, 'RLCCircuit')).toBe(id);
    const query: SimVizQuery = { refId: 'F', simulations: [id], variables: ['capacitor.v'] };
    const [viaProxy, viaFolder] = await Promise.all([run(proxy, [query], 0, 20), run(folder, [query], 0, 20)]);
    expect(viaFolder.errors).toBeUndefined();
    expect(viaFolder.data).toHaveLength(1);
    expect(viaFolder.data[0].fields.map((f: Field) => f.values)).toEqual(viaProxy.data[0].fields.map((f: Field) => f.values));
    expect(viaFolder.data[0].fields[1].config).toEqual(viaProxy.data[0].fields[1].config);
  });

  it('keeps each query’s own max points beside the panel’s in one panel (Grafana would write the panel’s over it)', async () => {
    const ds = datasourceFor('simviz');
    const id = await idOf(ds, 'TwoZoneBuilding');
    const response = await runQueries(ds, { ...request([
      { refId: 'P', simulations: [id], variables: ['zone1.T'] },
      { refId: 'Q', simulations: [id], variables: ['zone1.T'], maxDataPoints: 40 },
    ], 0, 259_200_000, 500), requestId: 'budgets' });
    expect(response.errors).toBeUndefined();
    const points = Object.fromEntries(response.data.map((frame: DataFrame) => [frame.refId, frame.fields[0].values.length]));
    expect(points.Q).toBeLessThanOrEqual(40);
    expect(points.P).toBeGreaterThan(40);
    expect(points.P).toBeLessThanOrEqual(500);
  });

  it('reads the newest run matching a search instead of listed simulations', async () => {
    const ds = datasourceFor('simviz');
    const response = await run(ds, [{ refId: 'N', simulations: [], variables: ['mass.s'], newest: { search: 'SpringDamper_sweep' } }]);
    expect(response.errors).toBeUndefined();
    expect(response.data.map((f: DataFrame) => f.fields[1].labels?.simulation)).toEqual([await newestRunName(harness, 'SpringDamper_sweep')]);
  });

  it('shows per-series errors with the proxy message and keeps the other series', async () => {
    const ds = datasourceFor('simviz');
    const id = await idOf(ds, 'RLCCircuit underdamped');
    const response = await run(ds, [{ refId: 'C', simulations: [id], variables: ['capacitor.v', 'no.such'] }]);
    expect(response.data).toHaveLength(1);
    expect(response.errors).toEqual([{ refId: 'C', message: expect.stringMatching(/RLCCircuit.*has no variable "no\.such"/), status: 400 }]);
  });

  it('turns a failing proxy into a query error, not an exception', async () => {
    const response = await run(datasourceFor('simviz-wrong-key'), [{ refId: 'D', simulations: ['x'], variables: ['y'] }]);
    // The proxy's own words now (the backend calls it directly), no longer those of Grafana's data proxy.
    expect(response.errors).toEqual([{ refId: 'D', message: expect.stringContaining('API key'), status: 400 }]);
  });
});

describe('template variable support', () => {
  it('lists simulations as name/id pairs and the variables of chosen simulations', async () => {
    const templateSrv = new HarnessTemplateSrv();
    const ds = datasourceFor('simviz', harness.proxyUrl, templateSrv);
    const support = ds.variables as SimVizVariableSupport;
    const variableRequest = (target: SimVizVariableQuery) => ({ ...request([], 0, 1), targets: [target] });
    const simulations = await lastValueFrom(support.query(variableRequest({ refId: 'v', kind: 'simulations', search: 'sweep' })));
    expect(simulations.data).toHaveLength(4);
    expect(simulations.data[0]).toEqual({ text: 'SpringDamper_sweep_d0p5_20261103_100000', value: expect.stringMatching(/^[\w-]{22}$/) });

    templateSrv.variables = [{ name: 'sim', current: simulations.data[0].value }];
    const target: SimVizVariableQuery = { refId: 'v', kind: 'variables', simulations: ['$sim'], search: 'damper' };
    const variables = await lastValueFrom(support.query(variableRequest(target)));
    expect(variables.data.map((v: { text: string }) => v.text)).toEqual(expect.arrayContaining(['damper.f', 'damper.d']));
  });

  it('lists the values one parameter takes across runs, ascending, for the runs given or those matching the search', async () => {
    const templateSrv = new HarnessTemplateSrv();
    const ds = datasourceFor('simviz', harness.proxyUrl, templateSrv);
    const support = ds.variables as SimVizVariableSupport;
    const variableRequest = (target: SimVizVariableQuery) => ({ ...request([], 0, 1), targets: [target] });
    const bySearch = await lastValueFrom(support.query(variableRequest({ refId: 'v', kind: 'parameterValues', parameter: 'damper.d', search: 'SpringDamper_sweep' })));
    expect(bySearch.data).toEqual([0.5, 1, 2, 4].map((value) => ({ text: String(value), value })));

    const two = await Promise.all(['d4', 'd1_'].map((tag) => idOf(ds, `SpringDamper_sweep_${tag}`)));
    templateSrv.variables = [{ name: 'runs', current: two }];
    const byRuns = await lastValueFrom(support.query(variableRequest({ refId: 'v', kind: 'parameterValues', parameter: 'damper.d', simulations: ['$runs'] })));
    expect(byRuns.data).toEqual([1, 4].map((value) => ({ text: String(value), value })));

    const unknown = await lastValueFrom(support.query(variableRequest({ refId: 'v', kind: 'parameterValues', parameter: 'no.such', simulations: ['$runs'] })));
    expect(unknown.data).toEqual([]);
  });

  it('lists the variables of several runs that match a glob', async () => {
    const templateSrv = new HarnessTemplateSrv();
    const ds = datasourceFor('simviz', harness.proxyUrl, templateSrv);
    const support = ds.variables as SimVizVariableSupport;
    const runs = await Promise.all(['d0p5', 'd4'].map((tag) => idOf(ds, `SpringDamper_sweep_${tag}`)));
    templateSrv.variables = [{ name: 'runs', current: runs }];
    const target: SimVizVariableQuery = { refId: 'v', kind: 'variables', simulations: ['$runs'], glob: 'mass.*' };
    const names = (await lastValueFrom(support.query({ ...request([], 0, 1), targets: [target] }))).data.map((v: { text: string }) => v.text);
    expect(names.length).toBeGreaterThan(1);
    names.forEach((name: string) => expect(name).toMatch(/^mass\./));
  });
});
