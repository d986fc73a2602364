import type { CoreApp, DataQueryRequest, DataQueryResponse, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import type { Observable } from 'rxjs';

import { DataSourceWithBackend, getBackendSrv, getGrafanaLiveSrv, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { LIVE_SNAPSHOT_PATH } from '../shared/liveChannel';
import { ProxyClient } from '../shared/proxyClient';
import { interpolateQuery } from './interpolate';
import { withLiveStreams, type LiveService } from './live/stream';
import { isComplete } from './query/validate';
import { resourcesUrl } from './resources';
import { DEFAULT_QUERY, queryTypeOf, type SimVizOptions, type SimVizQuery, type TimeAxis } from './types';
import { SimVizVariableSupport } from './variables';

/**
 * Queries run in the backend (QueryData through Grafana's /api/ds/query), so alerting, recorded
 * queries and public dashboards work; Save & test is the backend's CheckHealth. The editors, the
 * template variables and the app pages call the REST API through CallResource.
 */
export class DataSource extends DataSourceWithBackend<SimVizQuery, SimVizOptions> {
  readonly client: ProxyClient;
  /** The time axis of queries that do not choose one (the editors show it; the backend applies it). */
  readonly defaultTimeAxis: TimeAxis;

  constructor(
    instanceSettings: DataSourceInstanceSettings<SimVizOptions>,
    client?: ProxyClient,
    readonly templateSrv: TemplateSrv = getTemplateSrv(),
    private readonly liveService: () => LiveService = getGrafanaLiveSrv
  ) {
    super(instanceSettings);
    this.defaultTimeAxis = instanceSettings.jsonData.defaultTimeAxis ?? 'simulation';
    this.client = client ?? new ProxyClient(resourcesUrl(instanceSettings.uid), getBackendSrv());
    this.variables = new SimVizVariableSupport(this.client, this.templateSrv);
    // Annotations reuse the query editor; new ones start as events with run start and stop.
    this.annotations = {
      getDefaultQuery: () => ({ queryType: 'events', runBounds: true, simulations: [], variables: [] }),
    };
  }

  /**
   * The backend answers every query; a live one's frames of runs still being written then extend
   * through Grafana Live (live/stream.ts) until those runs settle.
   */
  query(request: DataQueryRequest<SimVizQuery>): Observable<DataQueryResponse> {
    const responses = super.query(request);
    if (!request.targets.some((target) => target.live && !target.hide)) {
      return responses;
    }
    // A page that missed a packet asks the backend for the stream's snapshot (quietly: no stream is an answer too).
    const fetchSnapshot = (path: string) => this.getResource(LIVE_SNAPSHOT_PATH, { path }, { showErrorAlert: false });
    return withLiveStreams(responses, this.uid, this.liveService(), fetchSnapshot);
  }

  getDefaultQuery(_app: CoreApp): Partial<SimVizQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * Grafana's query runner drops the queries this refuses before it calls query(): hidden ones, and
   * ones still being edited. A malformed saved query passes (when it names runs), so that the
   * backend answers it with an error naming the problem instead of the panel staying silently empty.
   */
  filterQuery(query: SimVizQuery): boolean {
    return !query.hide && isComplete(query);
  }

  /**
   * Dashboard variables are expanded here: the backend never sees `$run`. DataSourceWithBackend
   * then writes the panel's maxDataPoints over the query's own, so a query's own *Max points*
   * travels as `queryMaxDataPoints`.
   */
  applyTemplateVariables(query: SimVizQuery, scopedVars: ScopedVars): SimVizQuery {
    const interpolated = interpolateQuery(query, this.templateSrv, scopedVars);
    return query.maxDataPoints === undefined ? interpolated : { ...interpolated, queryMaxDataPoints: query.maxDataPoints };
  }

  getQueryDisplayText(query: SimVizQuery): string {
    const runs = query.newest ? 'the newest matching run' : `${(query.simulations ?? []).length} simulation(s)`;
    switch (queryTypeOf(query)) {
      case 'parameters':
        return `Parameters of ${runs}${query.differsOnly ? ' (differing only)' : ''}`;
      case 'events':
        return `Events of ${runs}`;
      case 'stats':
        return `Proxy statistics: ${query.statsTable ?? 'summary'}`;
      case 'regression':
        return `Regression (${query.regressionView ?? 'plot'}) of ${runs} against ${query.referenceId || 'its reference'}`;
      default:
        return `${(query.variables ?? []).join(', ') || 'no variables'} of ${runs}`;
    }
  }
}
