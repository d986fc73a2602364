import {
  DataSourceApi,
  type CoreApp,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';

import { getBackendSrv, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { ProxyClient } from '../shared/proxyClient';
import { testConnection } from './connection';
import { interpolateQuery } from './interpolate';
import type { QueryContext } from '../backend/query/context';
import { runQuery } from '../backend/query/run';
import { toDataFrame } from './frames';
import { isComplete, queryProblems } from './query/validate';
import { SimulationInfoCache } from './simulationInfo';
import { DEFAULT_QUERY, PROXY_ROUTE, queryTypeOf, type SimVizOptions, type SimVizQuery, type TimeAxis } from './types';
import { SimVizVariableSupport } from './variables';

/** A saved query this datasource cannot run (an unknown query type, say) gets an error naming the problem. */
function malformedError(query: SimVizQuery): DataQueryError[] {
  const problems = queryProblems(query);
  return problems.length > 0 ? [{ refId: query.refId, message: `Query ${query.refId}: ${problems.join('; ')}` }] : [];
}

export class DataSource extends DataSourceApi<SimVizQuery, SimVizOptions> {
  readonly client: ProxyClient;
  private readonly proxyUrl: string | undefined;
  /** The time axis of queries that do not choose one. */
  readonly defaultTimeAxis: TimeAxis;
  private readonly simulations: SimulationInfoCache;

  constructor(
    instanceSettings: DataSourceInstanceSettings<SimVizOptions>,
    client?: ProxyClient,
    readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.defaultTimeAxis = instanceSettings.jsonData.defaultTimeAxis ?? 'simulation';
    this.proxyUrl = instanceSettings.jsonData.proxyUrl;
    this.client = client ?? new ProxyClient(`${instanceSettings.url}/${PROXY_ROUTE}`, getBackendSrv());
    this.simulations = new SimulationInfoCache(this.client);
    this.variables = new SimVizVariableSupport(this.client, this.templateSrv);
    // Annotations reuse the query editor; new ones start as events with run start and stop.
    this.annotations = {
      getDefaultQuery: () => ({ queryType: 'events', runBounds: true, simulations: [], variables: [] }),
    };
  }

  getDefaultQuery(_app: CoreApp): Partial<SimVizQuery> {
    return DEFAULT_QUERY;
  }

  /** Hidden and incomplete queries are not sent at all. */
  filterQuery(query: SimVizQuery): boolean {
    return !query.hide && isComplete(query);
  }

  async query(request: DataQueryRequest<SimVizQuery>): Promise<DataQueryResponse> {
    const context: QueryContext = {
      client: this.client,
      fromMs: request.range.from.valueOf(),
      toMs: request.range.to.valueOf(),
      maxDataPoints: request.maxDataPoints,
      requestId: request.requestId,
      defaultTimeAxis: this.defaultTimeAxis,
      simulation: (id) => this.simulations.get(id),
    };
    const visible = request.targets.filter((target) => !target.hide);
    const malformed = visible.flatMap(malformedError);
    const targets = visible
      .filter((target) => queryProblems(target).length === 0)
      .map((target) => interpolateQuery(target, this.templateSrv, request.scopedVars))
      .filter((target) => this.filterQuery(target));
    const results = await Promise.all(targets.map((target) => runQuery(context, target)));
    return {
      data: results.flatMap((r) => r.frames.map(toDataFrame)),
      errors: [...malformed, ...results.flatMap((r) => r.errors)],
    };
  }

  /** Keeps queries meaningful when a panel is opened in Explore, where dashboard variables do not exist. */
  interpolateVariablesInQueries(queries: SimVizQuery[], scopedVars: ScopedVars): SimVizQuery[] {
    return queries.map((query) => interpolateQuery(query, this.templateSrv, scopedVars));
  }

  getQueryDisplayText(query: SimVizQuery): string {
    const runs = `${(query.simulations ?? []).length} simulation(s)`;
    switch (queryTypeOf(query)) {
      case 'parameters':
        return `Parameters of ${runs}${query.differsOnly ? ' (differing only)' : ''}`;
      case 'events':
        return `Events of ${runs}`;
      case 'stats':
        return `Proxy statistics: ${query.statsTable ?? 'summary'}`;
      default:
        return `${(query.variables ?? []).join(', ') || 'no variables'} of ${runs}`;
    }
  }

  testDatasource(): Promise<TestDataSourceResponse> {
    return testConnection(this.client, this.proxyUrl);
  }
}
