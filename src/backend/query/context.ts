import type { Frame } from '../frames/frame';
import type { Simulation } from '../../shared/api';
import type { ProxyClient } from '../../shared/proxyClient';
import type { SimVizQuery, TimeAxis } from '../../datasource/types';

/** What a query runner needs from the request and the datasource. */
export interface QueryContext {
  client: ProxyClient;
  /** The dashboard range, in Grafana milliseconds. */
  fromMs: number;
  toMs: number;
  maxDataPoints: number | undefined;
  /** Names the proxy requests of one query in the logs. */
  requestId: string;
  defaultTimeAxis: TimeAxis;
  /** Catalogue entries (name, model, run start) for legends and the run-start axis; cached. */
  simulation: (id: string) => Promise<Simulation>;
}

/** A problem with one query: Grafana shows it on that query only. */
export interface QueryError {
  refId: string;
  message: string;
}

export interface QueryResult {
  frames: Frame[];
  errors: QueryError[];
}

export type QueryRunner = (context: QueryContext, query: SimVizQuery) => Promise<QueryResult>;

export function timeAxisOf(context: QueryContext, query: SimVizQuery): TimeAxis {
  return query.timeAxis ?? context.defaultTimeAxis;
}
