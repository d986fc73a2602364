import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { dateTime, FieldType, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';

import { HarnessTemplateSrv } from '../../tests/harness/host/services';
import { harnessDatasource, sendJson, startHarness, type HarnessProcess } from '../../tests/support/grafanaHarness';
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

async function idOf(ds: DataSource, name: string): Promise<string> {
  const page = await ds.client.listSimulations({ search: name });
  return page.items[0].id;
}

async function run(ds: DataSource, targets: SimVizQuery[], fromMs = 0, toMs = 10_000): Promise<DataQueryResponse> {
  return ds.query(request(targets, fromMs, toMs)) as Promise<DataQueryResponse>;
}

describe('testDatasource through the data proxy', () => {
  it('reports version and simulation count', async () => {
    const result = await datasourceFor('simviz').testDatasource();
    expect(result).toEqual({
      status: 'success',
      message: expect.stringMatching(/^Connected to the SimViz proxy \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+: 19 simulations$/),
    });
  });

  it('tells a rejected key apart', async () => {
    const result = await datasourceFor('simviz-wrong-key').testDatasource();
    expect(result).toMatchObject({ status: 'error', message: 'The SimViz proxy rejected the API key' });
  });

  it('tells an unreachable proxy apart, naming the URL', async () => {
    const result = await datasourceFor('simviz-unreachable', 'http://127.0.0.1:9').testDatasource();
    expect(result).toMatchObject({ status: 'error', message: 'Cannot reach the SimViz proxy at http://127.0.0.1:9' });
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
      // Grafana's data proxy forwards to the URL saved in the datasource's settings, so save it there.
      expect(await sendJson('PUT', `${harness.url}/api/datasources/uid/simviz-unreachable`, { jsonData: { proxyUrl: url } })).toBe(200);
      const result = await datasourceFor('simviz-unreachable', url).testDatasource();
      expect(result).toMatchObject({
        status: 'error',
        message: `The SimViz proxy at ${url} is too old (version 0.1.0)`,
        details: { message: expect.stringContaining('update the proxy') },
      });
    } finally {
      old.closeAllConnections();
      old.close();
      await sendJson('POST', `${harness.url}/api/harness/reset`, {});
    }
  });

  it('asks for the URL when none is set', async () => {
    const result = await datasourceFor('simviz', '').testDatasource();
    expect(result).toMatchObject({ status: 'error', message: expect.stringContaining('Set the SimViz proxy URL') });
  });
});

describe('query', () => {
  it('returns one typed time-series frame per simulation and variable, in the dashboard range', async () => {
    const ds = datasourceFor('simviz');
    const id = await idOf(ds, 'RLCCircuit');
    const response = await run(ds, [{ refId: 'A', simulations: [id], variables: ['capacitor.v', 'inductor.i'] }], 0, 20);
    expect(response.errors).toEqual([]);
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
    const times = voltage.fields[0].values as number[];
    expect(times[0]).toBe(0);
    expect(times[times.length - 1]).toBeGreaterThanOrEqual(20);
    expect(times[times.length - 2]).toBeLessThan(20);
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
    const scoped = await ds.query({
      ...request([{ refId: 'B', simulations: ['$run'], variables: ['$signal'] }], 0, 10_000),
      scopedVars: { run: { text: 'one', value: runs[0] }, signal: { text: 's', value: 'spring.f' } },
    });
    expect((scoped as DataQueryResponse).data.map((f) => f.name)).toEqual(['SpringDamper_sweep_d0p5_20261103_100000 spring.f']);
  });

  it('skips hidden and incomplete queries without calling the proxy', async () => {
    const ds = datasourceFor('simviz');
    expect(ds.filterQuery({ refId: 'A', simulations: [], variables: ['x'] })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', simulations: ['a'], variables: ['x'], hide: true })).toBe(false);
    const response = await run(ds, [{ refId: 'A', simulations: [], variables: [] }]);
    expect(response).toEqual({ data: [], errors: [] });
  });

  it('shows per-series errors with the proxy message and keeps the other series', async () => {
    const ds = datasourceFor('simviz');
    const id = await idOf(ds, 'RLCCircuit');
    const response = await run(ds, [{ refId: 'C', simulations: [id], variables: ['capacitor.v', 'no.such'] }]);
    expect(response.data).toHaveLength(1);
    expect(response.errors).toEqual([{ refId: 'C', message: expect.stringMatching(/RLCCircuit.*has no variable "no\.such"/) }]);
  });

  it('turns a failing proxy into a query error, not an exception', async () => {
    const response = await run(datasourceFor('simviz-wrong-key'), [{ refId: 'D', simulations: ['x'], variables: ['y'] }]);
    expect(response.errors).toEqual([{ refId: 'D', message: expect.stringContaining('rejected the API key') }]);
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
