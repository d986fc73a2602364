import type { DataFrame, DataQueryError } from '@grafana/data';

import type { Simulation } from '../../shared/api';
import type { ProxyClient } from '../../shared/proxyClient';
import type { SimVizQuery, TimeAxis } from '../types';

/** What a query runner needs from the request and the datasource. */
export interface QueryContext {
  client: ProxyClient;
  /** The dashboard range, in Grafana milliseconds. */
  fromMs: number;
  toMs: number;
  maxDataPoints: number | undefined;
  /** Requests with the same id cancel each other in Grafana's backendSrv. */
  requestId: string;
  defaultTimeAxis: TimeAxis;
  /** Catalogue entries (name, model, run start) for legends and the run-start axis; cached. */
  simulation: (id: string) => Promise<Simulation>;
}

export interface QueryResult {
  frames: DataFrame[];
  errors: DataQueryError[];
}

export type QueryRunner = (context: QueryContext, query: SimVizQuery) => Promise<QueryResult>;

export function timeAxisOf(context: QueryContext, query: SimVizQuery): TimeAxis {
  return query.timeAxis ?? context.defaultTimeAxis;
}
