import { dateTime, type DataQueryRequest } from '@grafana/data';
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, throwError, type Observable } from 'rxjs';

import { HarnessTemplateSrv } from '../../../tests/harness/host/services';
import { ProxyClient, type Fetcher } from '../../shared/proxyClient';
import { harnessDatasource, harnessInstanceSettings, runQueries, startHarness, type HarnessProcess } from '../../../tests/support/grafanaHarness';
import { DataSource } from '../datasource';
import type { SimVizQuery, SimVizVariableQuery } from '../types';
import type { SimVizVariableSupport } from '../variables';
import { isComplete, isCompleteVariableQuery, queryProblems, variableQueryProblems } from './validate';

const base: SimVizQuery = { refId: 'A', simulations: ['run'], variables: ['x'] };

describe('queryProblems', () => {
  it.each<[string, Partial<SimVizQuery>]>([
    ['a query saved before query types', {}],
    ['a time series on the numeric axis', { queryType: 'timeseries', timeAxis: 'numeric', maxDataPoints: 500 }],
    ['parameters', { queryType: 'parameters', differsOnly: true }],
    ['events', { queryType: 'events', runBounds: true }],
    ['stats without a table', { queryType: 'stats' }],
    ['stats timings', { queryType: 'stats', statsTable: 'routes' }],
    ['a regression plot with tolerances', { queryType: 'regression', regressionTolerances: { relative: 0.01, relativeTo: 'value', time: null } }],
    ['a regression batch', { queryType: 'regression', regressionView: 'runStatus', regressionRuns: { folder: 'nightly', withinHours: 24 } }],
  ])('accepts %s', (_, query) => {
    expect(queryProblems({ ...base, ...query })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown query type', { queryType: 'stat' }, /unknown query type "stat" \(one of timeseries, table, parameters, events, stats, regression\)/],
    ['an unknown time axis', { timeAxis: 'wallclock' }, /unknown time axis "wallclock"/],
    ['an unknown stats table', { queryType: 'stats', statsTable: 'latency' }, /unknown stats table "latency"/],
    ['simulations given as text', { simulations: '$simulation' }, /simulations must be a list of strings/],
    ['variables holding a number', { variables: [1] }, /variables must be a list of strings/],
    ['zero max points', { maxDataPoints: 0 }, /maxDataPoints must be a positive whole number/],
    ['a live flag that is not a boolean', { live: 'yes' }, /live must be true or false/],
    ['an unknown regression view', { queryType: 'regression', regressionView: 'chart' }, /unknown regression view "chart"/],
    ['a negative tolerance', { queryType: 'regression', regressionTolerances: { absolute: -1 } }, /regressionTolerances.absolute must be a number of at least 0/],
    ['tolerances given as text', { queryType: 'regression', regressionTolerances: '0.01' }, /regressionTolerances must be an object/],
    ['an unknown relativeTo', { queryType: 'regression', regressionTolerances: { relativeTo: 'peak' } }, /unknown regressionTolerances.relativeTo "peak"/],
  ])('names %s', (_, query, problem) => {
    expect(queryProblems({ ...base, ...query } as unknown as SimVizQuery)).toEqual([expect.stringMatching(problem)]);
  });
});

describe('isComplete', () => {
  it('needs runs and variables to plot, runs for parameters and events, nothing for stats', () => {
    expect(isComplete({ ...base, variables: [] })).toBe(false);
    expect(isComplete({ ...base, queryType: 'table', simulations: [] })).toBe(false);
    expect(isComplete({ ...base, queryType: 'parameters', variables: [] })).toBe(true);
    expect(isComplete({ ...base, queryType: 'events', simulations: [] })).toBe(false);
    expect(isComplete({ refId: 'S', queryType: 'stats', simulations: [], variables: [] })).toBe(true);
  });

  it('needs a run for a regression plot (all variables when none are chosen), nothing for the batch views', () => {
    expect(isComplete({ ...base, queryType: 'regression', variables: [] })).toBe(true);
    expect(isComplete({ ...base, queryType: 'regression', simulations: [] })).toBe(false);
    expect(isComplete({ refId: 'R', queryType: 'regression', regressionView: 'runs', simulations: [], variables: [] })).toBe(true);
  });
});

describe('variable queries', () => {
  it('accepts the three kinds and names an unknown one', () => {
    expect(variableQueryProblems({ refId: 'v', kind: 'variables', simulations: ['$run'], variableKind: 'parameter' })).toEqual([]);
    expect(variableQueryProblems({ refId: 'v', kind: 'runs' } as unknown as SimVizVariableQuery)).toEqual([expect.stringContaining('unknown variable query kind "runs"')]);
    expect(variableQueryProblems({ refId: 'v', kind: 'variables', simulations: ['a'], variableKind: 'state' } as unknown as SimVizVariableQuery)).toEqual([
      expect.stringContaining('unknown variable kind "state"'),
    ]);
  });

  it('calls a query complete once it names what it lists from', () => {
    expect(isCompleteVariableQuery({ refId: 'v', kind: 'simulations' })).toBe(true);
    expect(isCompleteVariableQuery({ refId: 'v', kind: 'variables' })).toBe(false);
    expect(isCompleteVariableQuery({ refId: 'v', kind: 'parameterValues', simulations: ['$run'] })).toBe(false);
    expect(isCompleteVariableQuery({ refId: 'v', kind: 'parameterValues', parameter: 'damper.d' })).toBe(true);
  });
});

describe('the datasource with malformed saved queries', () => {
  /** A datasource whose proxy must not be called: any request is recorded and fails. */
  function offlineDatasource() {
    const requests: string[] = [];
    const fetcher: Fetcher = {
      fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
        requests.push(options.url);
        return throwError(() => ({ status: 502, data: 'Bad Gateway', config: options }));
      },
    };
    const settings = harnessInstanceSettings('simviz', 'http://127.0.0.1:9');
    return { requests, ds: new DataSource(settings, new ProxyClient('/proxy', fetcher), new HarnessTemplateSrv()) };
  }

  function request<Q extends SimVizQuery | SimVizVariableQuery>(targets: Q[]): DataQueryRequest<Q> {
    const range = { from: dateTime(0), to: dateTime(1000), raw: { from: dateTime(0), to: dateTime(1000) } };
    return { app: 'dashboard', requestId: 'V', interval: '1s', intervalMs: 1000, maxDataPoints: 10, range, scopedVars: {}, targets, timezone: 'utc', startTime: 0 };
  }

  describe('through the backend', () => {
    let harness: HarnessProcess;
    beforeAll(async () => {
      harness = await startHarness();
    }, 60_000);
    afterAll(() => harness?.stop());

    it('answers an unknown query type with an error for that query instead of running it as something else', async () => {
      const ds = harnessDatasource(harness);
      const query = { ...base, queryType: 'stat' } as unknown as SimVizQuery;
      // Sent, not dropped: the backend checks saved queries and names the problem.
      expect(ds.filterQuery(query)).toBe(true);
      const response = await runQueries(ds, request([query]));
      expect(response.data).toEqual([]);
      expect(response.errors).toEqual([{ refId: 'A', message: expect.stringMatching(/^Query A: unknown query type "stat" \(one of timeseries, /), status: 400 }]);
    });
  });

  it('answers a variable query of an unknown kind with an error', async () => {
    const { ds, requests } = offlineDatasource();
    const support = ds.variables as SimVizVariableSupport;
    const response = await lastValueFrom(support.query(request([{ refId: 'v', kind: 'runs' } as unknown as SimVizVariableQuery])));
    expect(response).toEqual({ data: [], error: { message: expect.stringContaining('unknown variable query kind "runs"') } });
    expect(requests).toEqual([]);
  });
});
