import { toProxyError } from '../../shared/proxyClient';
import { queryTypeOf, type SimVizQuery, type SimVizQueryType } from '../types';
import type { QueryContext, QueryResult, QueryRunner } from './context';
import { runEvents } from './events';
import { runParameters } from './parameters';
import { runStats } from './stats';
import { runTable } from './table';
import { runTimeSeries } from './timeSeries';

const RUNNERS: Record<SimVizQueryType, QueryRunner> = {
  timeseries: runTimeSeries,
  table: runTable,
  parameters: runParameters,
  events: runEvents,
  stats: runStats,
};

/** Runs one (interpolated) query; any failure becomes that query's error, with the proxy's message. */
export async function runQuery(context: QueryContext, query: SimVizQuery): Promise<QueryResult> {
  const runner = RUNNERS[queryTypeOf(query)];
  try {
    return await runner(context, query);
  } catch (error) {
    return { frames: [], errors: [{ refId: query.refId, message: toProxyError(error).message }] };
  }
}
