/**
 * QueryData: each query of a request parsed at the edge, run by the shared query runners against
 * the datasource's instance, and answered as Arrow frames. A bad query, an unknown id or a dead
 * proxy becomes that query's error; the other queries and the process go on.
 */
import type { Logger } from 'pino';

import { isComplete, queryProblems } from '../../datasource/query/validate';
import { queryTypeOf, type SimVizQuery } from '../../datasource/types';
import { messageOf } from '../../shared/proxyClient';
import type { Simulation } from '../../shared/api';
import type { Instance } from '../connection/instance';
import { frameToArrow } from '../frames/arrow';
import type { DataQueryMessage, DataResponseMessage, QueryDataResponseMessage } from '../grpc/messages';
import type { QueryContext, QueryResult } from './context';
import { runQuery } from './run';

export class QueryJsonError extends Error {}

/** The query as the frontend saved it; Grafana adds datasource, intervalMs and maxDataPoints beside our fields. */
export function parseQuery(message: DataQueryMessage): SimVizQuery {
  let json: unknown;
  try {
    json = message.json.length > 0 ? JSON.parse(message.json.toString('utf8')) : {};
  } catch (error) {
    throw new QueryJsonError(`Query ${message.refId}: the query is not JSON (${messageOf(error)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new QueryJsonError(`Query ${message.refId}: the query must be a JSON object`);
  }
  // `maxDataPoints` in the JSON is the panel's (DataQuery.maxDataPoints has it too); the query's own comes as queryMaxDataPoints.
  const { queryMaxDataPoints, maxDataPoints: _panel, ...fields } = { simulations: [], variables: [], ...json, refId: message.refId } as SimVizQuery;
  const query: SimVizQuery = queryMaxDataPoints === undefined ? fields : { ...fields, maxDataPoints: queryMaxDataPoints };
  if (message.queryType) {
    query.queryType = message.queryType;
  }
  const problems = queryProblems(query);
  if (problems.length > 0) {
    throw new QueryJsonError(`Query ${message.refId}: ${problems.join('; ')}`);
  }
  if (!isComplete(query)) {
    const what = queryTypeOf(query) === 'timeseries' || queryTypeOf(query) === 'table' ? 'simulations and variables' : 'simulations';
    throw new QueryJsonError(`Query ${message.refId}: choose ${what} first`);
  }
  return query;
}

function contextFor(instance: Instance, message: DataQueryMessage, signal: AbortSignal, simulations: Map<string, Promise<Simulation>>): QueryContext {
  const client = instance.client(signal);
  return {
    client,
    fromMs: message.timeRange?.fromEpochMS ?? 0,
    toMs: message.timeRange?.toEpochMS ?? 0,
    maxDataPoints: message.maxDataPoints > 0 ? message.maxDataPoints : undefined,
    requestId: message.refId,
    defaultTimeAxis: instance.settings.defaultTimeAxis,
    // One lookup per run and request, shared by its queries.
    simulation: (id) => {
      let found = simulations.get(id);
      if (!found) {
        found = client.getSimulation(id);
        simulations.set(id, found);
      }
      return found;
    },
  };
}

function encode(result: QueryResult): DataResponseMessage {
  const frames = result.frames.map(frameToArrow);
  const error = result.errors.map((e) => e.message).join('; ');
  // Grafana reads an unset status as 500: the SDK always sends 200 for an answered query.
  return error ? { frames, error, status: 400, errorSource: 'downstream' } : { frames, status: 200 };
}

async function answerOne(instance: Instance, message: DataQueryMessage, signal: AbortSignal, simulations: Map<string, Promise<Simulation>>): Promise<DataResponseMessage> {
  let query: SimVizQuery;
  try {
    query = parseQuery(message);
  } catch (error) {
    return { frames: [], error: messageOf(error), status: 400, errorSource: 'plugin' };
  }
  const result = await runQuery(contextFor(instance, message, signal, simulations), query);
  if (signal.aborted) {
    const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
    const error = timedOut ? `Query ${message.refId}: no answer from ${instance.upstream.description} within ${(instance.deadlineMs ?? 0) / 1000} s` : `Query ${message.refId}: cancelled`;
    return { frames: [], error, status: timedOut ? 504 : 499, errorSource: 'downstream' };
  }
  return encode(result);
}

export async function queryData(instance: Instance, queries: readonly DataQueryMessage[], cancelled: AbortSignal, logger: Logger): Promise<QueryDataResponseMessage> {
  // One deadline for all of a query's calls, retries included: the timeout setting bounds the query, not each call.
  const signal = instance.deadlineMs === undefined ? cancelled : AbortSignal.any([cancelled, AbortSignal.timeout(instance.deadlineMs)]);
  const simulations = new Map<string, Promise<Simulation>>();
  const answers = await Promise.all(
    queries.map((message) =>
      answerOne(instance, message, signal, simulations).catch((error: unknown): DataResponseMessage => {
        logger.error({ err: error, refId: message.refId }, 'query failed unexpectedly');
        return { frames: [], error: `Query ${message.refId}: ${messageOf(error)}`, status: 500, errorSource: 'plugin' };
      })
    )
  );
  return { responses: Object.fromEntries(queries.map((message, k) => [message.refId, answers[k]])) };
}
