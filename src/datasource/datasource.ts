import {
  DataSourceApi,
  type CoreApp,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';

import { getTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { isSeriesError } from '../shared/api';
import { ProxyClient, toProxyError } from '../shared/proxyClient';
import { testConnection } from './connection';
import { seriesToFrame } from './frames';
import { interpolateQuery } from './interpolate';
import { DEFAULT_QUERY, MS_PER_SIMULATION_SECOND, PROXY_ROUTE, type SimVizOptions, type SimVizQuery } from './types';
import { SimVizVariableSupport } from './variables';

export class DataSource extends DataSourceApi<SimVizQuery, SimVizOptions> {
  readonly client: ProxyClient;
  private readonly proxyUrl: string | undefined;

  constructor(
    instanceSettings: DataSourceInstanceSettings<SimVizOptions>,
    client?: ProxyClient,
    readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.proxyUrl = instanceSettings.jsonData.proxyUrl;
    this.client = client ?? new ProxyClient(`${instanceSettings.url}/${PROXY_ROUTE}`);
    this.variables = new SimVizVariableSupport(this);
  }

  getDefaultQuery(_app: CoreApp): Partial<SimVizQuery> {
    return DEFAULT_QUERY;
  }

  /** Hidden and incomplete queries are not sent at all. */
  filterQuery(query: SimVizQuery): boolean {
    return !query.hide && (query.simulations?.length ?? 0) > 0 && (query.variables?.length ?? 0) > 0;
  }

  async query(request: DataQueryRequest<SimVizQuery>): Promise<DataQueryResponse> {
    const targets = request.targets
      .filter((target) => !target.hide)
      .map((target) => interpolateQuery(target, this.templateSrv, request.scopedVars))
      .filter((target) => this.filterQuery(target));
    const results = await Promise.all(targets.map((target) => this.runTarget(request, target)));
    return {
      data: results.flatMap((r) => r.frames),
      errors: results.flatMap((r) => r.errors),
    };
  }

  /** Keeps queries meaningful when a panel is opened in Explore, where dashboard variables do not exist. */
  interpolateVariablesInQueries(queries: SimVizQuery[], scopedVars: ScopedVars): SimVizQuery[] {
    return queries.map((query) => interpolateQuery(query, this.templateSrv, scopedVars));
  }

  getQueryDisplayText(query: SimVizQuery): string {
    return `${(query.variables ?? []).join(', ') || 'no variables'} of ${(query.simulations ?? []).length} simulation(s)`;
  }

  testDatasource(): Promise<TestDataSourceResponse> {
    return testConnection(this.client, this.proxyUrl);
  }

  private async runTarget(
    request: DataQueryRequest<SimVizQuery>,
    target: SimVizQuery
  ): Promise<{ frames: DataFrame[]; errors: DataQueryError[] }> {
    try {
      const response = await this.client.query(
        {
          simulations: target.simulations,
          variables: target.variables,
          from: request.range.from.valueOf() / MS_PER_SIMULATION_SECOND,
          to: request.range.to.valueOf() / MS_PER_SIMULATION_SECOND,
          maxDataPoints: request.maxDataPoints,
        },
        `${request.requestId}-${target.refId}`
      );
      const frames: DataFrame[] = [];
      const errors: DataQueryError[] = [];
      for (const entry of response.series) {
        if (isSeriesError(entry)) {
          errors.push({ refId: target.refId, message: entry.error.message });
        } else {
          frames.push(seriesToFrame(entry, target.refId));
        }
      }
      return { frames, errors };
    } catch (error) {
      return { frames: [], errors: [{ refId: target.refId, message: toProxyError(error).message }] };
    }
  }
}
