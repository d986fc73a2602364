/**
 * Faults between Grafana and the proxy: a proxy that restarts while a dashboard queries it, and one
 * that stays away. The proxy is a real process, restarted on the same port; the backend is the real one
 * behind the harness stand-in, pointed at the proxy through the datasource's saved settings.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { dateTime, type DataQueryResponse } from '@grafana/data';

import { HARNESS_API_KEY } from '../../tests/harness/constants';
import { HarnessTemplateSrv } from '../../tests/harness/host/services';
import { startProxyProcess, type ProxyProcess } from '../../tests/harness/proxyProcess';
import { ProxyClient } from '../shared/proxyClient';
import { harnessInstanceSettings, httpFetcher, installHarnessBackendSrv, runQueries, sendJson, startHarness, type HarnessProcess } from '../../tests/support/grafanaHarness';
import { DataSource } from './datasource';
import { resourcesUrl } from './resources';
import type { SimVizQuery } from './types';

const FIXTURES = process.env.SIMVIZ_FIXTURES ?? path.resolve(__dirname, '../../../shared/fixtures/real');
/** The stand-in's datasource that the tests point at their own proxy (restored afterwards). */
const UID = 'simviz-unreachable';

let harness: HarnessProcess;

beforeAll(async () => {
  harness = await startHarness();
}, 60_000);

afterAll(async () => {
  await sendJson('POST', `${harness.url}/api/harness/reset`, {});
  await harness?.stop();
});

function freePort(): Promise<number> {
  const server = http.createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    })
  );
}

function datasource(proxyUrl: string, retryDelayMs: number): DataSource {
  installHarnessBackendSrv(harness);
  // The REST calls of the editors retry in the browser; queries retry in the backend.
  const client = new ProxyClient(resourcesUrl(UID), httpFetcher(harness.url), { delayMs: retryDelayMs });
  return new DataSource(harnessInstanceSettings(UID, proxyUrl), client, new HarnessTemplateSrv());
}

function query(ds: DataSource, target: SimVizQuery): Promise<DataQueryResponse> {
  const range = { from: dateTime(0), to: dateTime(10_000), raw: { from: dateTime(0), to: dateTime(10_000) } };
  const request = { app: 'dashboard', requestId: 'R1', interval: '1s', intervalMs: 1000, maxDataPoints: 500, range, scopedVars: {}, targets: [target], timezone: 'utc', startTime: 0 };
  return runQueries(ds, request);
}

describe('a proxy that restarts while a dashboard queries it', () => {
  let proxy: ProxyProcess | undefined;
  afterEach(() => proxy?.stop());

  it('answers the query: the call that found it down is tried once more', async () => {
    const port = await freePort();
    const options = ['--data', `real=${FIXTURES}`, '--api-key', HARNESS_API_KEY];
    proxy = await startProxyProcess(options, port);
    expect(await sendJson('PUT', `${harness.url}/api/datasources/uid/${UID}`, { jsonData: { proxyUrl: proxy.url } })).toBe(200);
    // Long enough for a proxy process to start on this machine, even under load.
    const ds = datasource(proxy.url, 6000);
    const [run] = (await ds.client.listSimulations({ search: 'threetanks' })).items;
    const [variable] = (await ds.client.listVariables(run.id, { kind: 'trajectory', limit: 1 })).items;

    // A restart (a deploy): the proxy is gone when the query arrives, and comes back on the same port.
    await proxy.stop();
    const answer = query(ds, { refId: 'A', simulations: [run.id], variables: [variable.name] });
    proxy = await startProxyProcess(options, port);
    const response = await answer;
    expect(response.errors).toBeUndefined();
    expect(response.data).toHaveLength(1);
    expect(response.data[0].fields[1].values.length).toBeGreaterThan(1);
  }, 60_000);

  it('reports the proxy as unreachable, saying it tried again, when it stays away', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    expect(await sendJson('PUT', `${harness.url}/api/datasources/uid/${UID}`, { jsonData: { proxyUrl: url } })).toBe(200);
    const response = await query(datasource(url, 200), { refId: 'B', simulations: ['x'], variables: ['y'] });
    expect(response.errors).toEqual([{ refId: 'B', message: expect.stringMatching(/^the proxy cannot be reached .*; tried again after \d+ ms$/), status: 400 }]);
  }, 30_000);
});
