import { dateTime, type DataQuery, type DataQueryRequest, type DataQueryResponse, type DataSourceApi, type ScopedVars } from '@grafana/data';
import { from, isObservable, lastValueFrom, of, type Observable } from 'rxjs';

let counter = 0;

/**
 * Runs queries the way a panel does: the datasource's filterQuery first (Grafana's query runner
 * drops what it refuses, and sends nothing when nothing is left), then one DataQueryRequest with
 * range, maxDataPoints and scopedVars (a repeated panel's value). Every response the datasource
 * emits, as Grafana's query runner passes each to the panel: a streaming query emits several.
 */
export function panelQueryResponses(
  datasource: Pick<DataSourceApi, 'query' | 'filterQuery'>,
  targets: DataQuery[],
  range: { from: number; to: number },
  maxDataPoints: number,
  scopedVars: ScopedVars = {}
): Observable<DataQueryResponse> {
  const kept = datasource.filterQuery ? targets.filter((target) => datasource.filterQuery!(target)) : targets;
  if (kept.length === 0) {
    return of({ data: [] });
  }
  counter++;
  const fromTime = dateTime(range.from);
  const toTime = dateTime(range.to);
  const request: DataQueryRequest = {
    app: 'panel-editor',
    requestId: `harness-${counter}`,
    interval: '1s',
    intervalMs: 1000,
    maxDataPoints,
    range: { from: fromTime, to: toTime, raw: { from: fromTime, to: toTime } },
    scopedVars,
    targets: kept,
    timezone: 'utc',
    startTime: Date.now(),
  };
  const result = datasource.query(request);
  return isObservable(result) ? result : from(result);
}

/** The last response of a panel's queries (for a streaming query, once its stream has ended). */
export function runPanelQuery(
  datasource: Pick<DataSourceApi, 'query' | 'filterQuery'>,
  targets: DataQuery[],
  range: { from: number; to: number },
  maxDataPoints: number,
  scopedVars: ScopedVars = {}
): Promise<DataQueryResponse> {
  return lastValueFrom(panelQueryResponses(datasource, targets, range, maxDataPoints, scopedVars));
}
