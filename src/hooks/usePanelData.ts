import { useEffect, useState } from 'react';
import { dateTime, LoadingState, type DataQueryRequest, type DataQueryResponse, type PanelData, type TimeRange } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { from, isObservable, type Observable } from 'rxjs';

import type { SimulationRange } from '../api/links';
import { DATASOURCE_TYPE } from '../constants';
import type { SimVizQuery } from '../datasource/types';
import { messageOf } from '../shared/proxyClient';

let requestCounter = 0;

function timeRange(range: SimulationRange): TimeRange {
  const fromTime = dateTime(range.from);
  const toTime = dateTime(range.to);
  return { from: fromTime, to: toTime, raw: { from: fromTime, to: toTime } };
}

function request(datasourceUid: string, query: SimVizQuery, range: SimulationRange, maxDataPoints: number): DataQueryRequest<SimVizQuery> {
  requestCounter++;
  return {
    app: 'simviz-app',
    requestId: `simviz-app-${requestCounter}`,
    interval: '1s',
    intervalMs: 1000,
    maxDataPoints,
    range: timeRange(range),
    scopedVars: {},
    targets: [{ ...query, datasource: { type: DATASOURCE_TYPE, uid: datasourceUid } }],
    timezone: 'utc',
    startTime: Date.now(),
  };
}

function panelData(response: DataQueryResponse, range: SimulationRange): PanelData {
  const errors = response.errors ?? [];
  return {
    state: errors.length > 0 ? LoadingState.Error : LoadingState.Done,
    series: response.data,
    errors,
    timeRange: timeRange(range),
  };
}

function failed(error: unknown, range: SimulationRange): PanelData {
  return panelData({ data: [], errors: [{ message: messageOf(error) }] }, range);
}

/**
 * Runs one SimViz query through the configured datasource, as a panel would, and gives the result
 * as PanelData for PanelRenderer. Undefined while nothing is asked (`query` undefined); the
 * previous result, marked as loading, while a changed query runs.
 */
export function usePanelData(
  datasourceUid: string,
  query: SimVizQuery | undefined,
  range: SimulationRange,
  maxDataPoints: number
): PanelData | undefined {
  const [settled, setSettled] = useState<{ key: string; data?: PanelData }>({ key: '' });
  const key = JSON.stringify([datasourceUid, query, range, maxDataPoints]);

  useEffect(() => {
    if (!query) {
      return;
    }
    let subscription: { unsubscribe(): void } | undefined;
    let cancelled = false;
    const settle = (data: PanelData) => !cancelled && setSettled({ key, data });
    getDataSourceSrv()
      .get({ type: DATASOURCE_TYPE, uid: datasourceUid })
      .then((datasource) => {
        if (cancelled) {
          return;
        }
        const result = datasource.query(request(datasourceUid, query, range, maxDataPoints));
        const responses: Observable<DataQueryResponse> = isObservable(result) ? result : from(result);
        subscription = responses.subscribe({ next: (response) => settle(panelData(response, range)), error: (error: unknown) => settle(failed(error, range)) });
      })
      .catch((error: unknown) => settle(failed(error, range)));
    return () => {
      cancelled = true;
      subscription?.unsubscribe();
    };
    // `key` names every input of the request.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  if (!query) {
    return undefined;
  }
  if (!settled.data) {
    return { state: LoadingState.Loading, series: [], timeRange: timeRange(range) };
  }
  return settled.key === key ? settled.data : { ...settled.data, state: LoadingState.Loading };
}
