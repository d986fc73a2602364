/**
 * The HTTP API Grafana serves for a backend datasource, over the gRPC calls it makes to the plugin:
 * /api/ds/query (QueryData), /api/datasources/uid/:uid/resources/* (CallResource) and
 * /api/datasources/uid/:uid/health (CheckHealth), each with Grafana's status codes and shapes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { DataQueryMessage, DataResponseMessage, PluginContextMessage, StringList } from '../../../src/backend/grpc/messages';
import type { BackendClient } from './client';
import { arrowToFrameJson, type DataFrameJson } from './frameJson';

/** What a datasource's saved settings become in every call: the SDK's PluginContext. */
export type ContextFor = (uid: string) => PluginContextMessage | undefined;

/** A query as DataSourceWithBackend sends it: the panel's query with datasource, intervalMs and maxDataPoints added. */
interface QueryJson {
  refId?: string;
  datasource?: { uid?: string; type?: string };
  queryType?: string;
  maxDataPoints?: number;
  intervalMs?: number;
}

interface QueryBody {
  queries?: QueryJson[];
  from?: string;
  to?: string;
}

interface ResultJson {
  status: number;
  frames: DataFrameJson[];
  error?: string;
  errorSource?: string;
}

/** Grafana's defaults for a query that does not say (pkg/services/query: 100 points, 1 s). */
const DEFAULT_MAX_DATA_POINTS = 100;
const DEFAULT_INTERVAL_MS = 1000;

/** Headers Grafana does not pass to a plugin (its session, and what only concerns this hop). */
const REQUEST_HEADERS_DROPPED = new Set(['cookie', 'authorization', 'host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
/** Nor back to the browser: a plugin may not set cookies, and the length changes with the chunking. */
const RESPONSE_HEADERS_DROPPED = new Set(['set-cookie', 'content-length', 'transfer-encoding', 'connection']);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Go's http.CanonicalHeaderKey: Grafana hands the plugin `Content-Type`, not `content-type`. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

function epochMs(text: string | undefined, name: string): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new RangeError(`${name} must be epoch milliseconds, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function dataQuery(query: QueryJson, range: { fromEpochMS: number; toEpochMS: number }): DataQueryMessage {
  return {
    refId: query.refId ?? 'A',
    maxDataPoints: query.maxDataPoints ?? DEFAULT_MAX_DATA_POINTS,
    intervalMS: query.intervalMs ?? DEFAULT_INTERVAL_MS,
    timeRange: range,
    json: Buffer.from(JSON.stringify(query)),
    queryType: query.queryType ?? '',
  };
}

function resultJson(response: DataResponseMessage): ResultJson {
  const frames = response.frames.map(arrowToFrameJson);
  if (!response.error) {
    return { status: response.status || 200, frames };
  }
  return { status: response.status || 500, frames, error: response.error, ...(response.errorSource ? { errorSource: response.errorSource } : {}) };
}

/** The queries of one request by datasource uid, as Grafana splits a mixed request. */
function byDatasource(queries: QueryJson[]): Map<string, QueryJson[]> {
  const groups = new Map<string, QueryJson[]>();
  for (const query of queries) {
    const uid = query.datasource?.uid ?? '';
    groups.set(uid, [...(groups.get(uid) ?? []), query]);
  }
  return groups;
}

/** POST /api/ds/query: 200 when every query succeeded, 207 (multi-status) when one failed. */
export async function dsQuery(req: IncomingMessage, res: ServerResponse, backend: BackendClient, contextFor: ContextFor): Promise<void> {
  const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as QueryBody;
  let range: { fromEpochMS: number; toEpochMS: number };
  try {
    range = { fromEpochMS: epochMs(body.from, 'from'), toEpochMS: epochMs(body.to, 'to') };
  } catch (error) {
    return sendJson(res, 400, { message: 'bad request data', error: String(error) });
  }
  const groups = byDatasource(body.queries ?? []);
  if (groups.size === 0) {
    return sendJson(res, 400, { message: 'No queries found' });
  }
  const results: Record<string, ResultJson> = {};
  for (const [uid, queries] of groups) {
    const context = contextFor(uid);
    if (!context) {
      return sendJson(res, 404, { message: 'Data source not found' });
    }
    try {
      const answer = await backend.queryData(context, queries.map((query) => dataQuery(query, range)), {});
      for (const [refId, response] of Object.entries(answer.responses)) {
        results[refId] = resultJson(response);
      }
    } catch (error) {
      // A plugin that fails the call itself (crashed, or an INTERNAL status): Grafana's 500.
      return sendJson(res, 500, { message: 'Query data error', error: String(error) });
    }
  }
  const failed = Object.values(results).some((result) => result.error !== undefined);
  sendJson(res, failed ? 207 : 200, { results });
}

function forwardedHeaders(req: IncomingMessage): Record<string, StringList> {
  const headers: Record<string, StringList> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !REQUEST_HEADERS_DROPPED.has(name)) {
      headers[canonical(name)] = { values: Array.isArray(value) ? value : [value] };
    }
  }
  return headers;
}

/** GET|POST|PUT|DELETE /api/datasources/uid/:uid/resources/<path>: the answer streamed as the plugin sends it. */
export async function callResource(req: IncomingMessage, res: ServerResponse, backend: BackendClient, context: PluginContextMessage, path: string, search: string): Promise<void> {
  const body = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  let answer: Awaited<ReturnType<BackendClient['callResource']>>;
  try {
    answer = await backend.callResource({ pluginContext: context, path, method: req.method ?? 'GET', url: `${path}${search}`, headers: forwardedHeaders(req), body }, abort.signal);
  } catch (error) {
    return sendJson(res, 500, { message: 'Failed to call resource', error: String(error) });
  }
  for (const [name, values] of Object.entries(answer.headers)) {
    if (!RESPONSE_HEADERS_DROPPED.has(name.toLowerCase())) {
      res.setHeader(name, values);
    }
  }
  // Grafana sandboxes whatever a plugin serves.
  res.setHeader('Content-Security-Policy', 'sandbox');
  res.writeHead(answer.code || 500);
  try {
    for await (const chunk of answer.chunks) {
      res.write(chunk);
    }
    res.end();
  } catch {
    // The browser went away (or the plugin broke off mid-answer): nothing left to answer.
    res.destroy();
  }
}

/** GET /api/datasources/uid/:uid/health: the plugin's verdict, 400 unless it is OK. */
export async function checkHealth(res: ServerResponse, backend: BackendClient, context: PluginContextMessage): Promise<void> {
  let answer: Awaited<ReturnType<BackendClient['checkHealth']>>;
  try {
    answer = await backend.checkHealth(context);
  } catch (error) {
    return sendJson(res, 500, { message: 'Plugin health check failed', error: String(error) });
  }
  const detailsText = new TextDecoder().decode(answer.jsonDetails);
  const details = detailsText ? (JSON.parse(detailsText) as unknown) : undefined;
  const payload = { status: answer.status, message: answer.message, ...(details === undefined ? {} : { details }) };
  sendJson(res, answer.status === 'OK' ? 200 : 400, payload);
}
