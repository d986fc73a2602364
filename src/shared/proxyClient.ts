import type { BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { lastValueFrom, type Observable } from 'rxjs';

import {
  API_PREFIX,
  EventPageSchema,
  HealthSchema,
  ParameterDiffSchema,
  QueryResponseSchema,
  SharedVariablePageSchema,
  SimulationPageSchema,
  SessionSchema,
  SimulationSchema,
  StatsSchema,
  VariablePageSchema,
  type EventPage,
  type EventQuery,
  type Health,
  type PageQuery,
  type ParameterDiff,
  type ParameterDiffQuery,
  type QueryRequest,
  type QueryResponse,
  type Session,
  type SharedVariablePage,
  type Simulation,
  type SimulationPage,
  type Stats,
  type StatsQuery,
  type VariablePage,
  type VariablePageQuery,
} from './api';
import {
  BatchCompareResponseSchema,
  RegressionResultSchema,
  type BatchCompareRequest,
  type BatchCompareResponse,
  type CompareRequest,
  type RegressionResult,
  type SetReferenceRequest,
} from './regression';
import { decodeRowsColumns, isRowsAnswer, jsonRowsAsColumns, ROWS_MEDIA_TYPE, RowsColumnsSchema, type RowsColumns, type RowsQuery } from './liveRows';
import { jsonAnswerAsColumns, QueryColumnsSchema, type QueryColumns } from './seriesColumns';
import { SERIES_MEDIA_TYPE, SeriesWireError, decodeSeriesAnswer, decodeSeriesColumns, isSeriesAnswer } from './seriesWire';

/** What went wrong, in the terms a user can act on. */
export type ProxyErrorKind = 'unreachable' | 'unauthorized' | 'not_found' | 'rejected' | 'invalid_response' | 'server';

export class ProxyError extends Error {
  constructor(
    readonly kind: ProxyErrorKind,
    message: string,
    readonly status?: number
  ) {
    super(message);
  }
}

/**
 * The part of Grafana's backendSrv the client needs: in the browser getBackendSrv(), in the
 * backend an HTTP or in-process fetcher (src/backend/connection). Failures are FetchErrors.
 */
export interface Fetcher {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>>;
}

/** As @grafana/runtime's isFetchError, which this module cannot import: the backend runs without the runtime. */
export function isFetchError(error: unknown): error is FetchError {
  return typeof error === 'object' && error !== null && 'status' in error && 'data' in error;
}

interface ErrorPayload {
  error?: { code?: unknown; message?: unknown };
}

/** Grafana's data proxy turns an upstream 401 into this 400, so the key problem must be recognised by text. */
export const GRAFANA_UPSTREAM_AUTH_FAILED = 'Authentication to data source failed';

function proxyMessage(data: unknown): string | undefined {
  const message = (data as ErrorPayload | undefined)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

/** The message of anything thrown, for showing to the user. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps a failed fetch to a ProxyError. Gateway errors come from Grafana when the proxy cannot be reached. */
export function toProxyError(error: unknown): ProxyError {
  if (error instanceof ProxyError) {
    return error;
  }
  if (!isFetchError(error)) {
    return new ProxyError('server', messageOf(error));
  }
  const { status, data } = error;
  const text = typeof data === 'string' ? data : (proxyMessage(data) ?? (data as { message?: string } | undefined)?.message);
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return new ProxyError('unreachable', text ? `the proxy cannot be reached (${text})` : 'the proxy cannot be reached', status);
  }
  if (status === 401 || status === 403 || (status === 400 && text?.includes(GRAFANA_UPSTREAM_AUTH_FAILED))) {
    return new ProxyError('unauthorized', proxyMessage(data) ?? 'the proxy rejected the API key', status);
  }
  if (status === 404) {
    return new ProxyError('not_found', text ?? 'not found', status);
  }
  if (status >= 400 && status < 500) {
    return new ProxyError('rejected', text ?? `request rejected (${status})`, status);
  }
  return new ProxyError('server', text ?? `the proxy failed (${status})`, status);
}

type Params = Record<string, string | number | boolean | string[] | undefined>;

/**
 * Whether `data` matches `schema`. The default walks the schema for every answer; the backend
 * passes a compiled checker (TypeBox's compiler builds code with `new Function`, which a browser
 * page under Grafana's content security policy may refuse, so the frontend keeps the default).
 */
export type SchemaCheck = (schema: TSchema, data: unknown) => boolean;

const walkSchema: SchemaCheck = (schema, data) => Value.Check(schema, data);

export interface RetryOptions {
  /** Pause before the one retry of a call that could not reach the proxy; a random quarter more is added. */
  delayMs: number;
}

/**
 * A proxy restart (a deploy, a crash under systemd) takes about a second: calls that could not
 * reach it are tried once more after that, so open dashboards ride it out. All calls here only
 * read (the query POST included), so a repeat cannot do anything twice; uploads do not come here.
 */
const DEFAULT_RETRY: RetryOptions = { delayMs: 1000 };

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Talks to the SimViz proxy through Grafana's data proxy (the datasource route adds the API key).
 * Every response is checked against the shared contract before it is used.
 */
export class ProxyClient {
  constructor(
    private readonly baseUrl: string,
    private readonly fetcher: Fetcher,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
    private readonly check: SchemaCheck = walkSchema
  ) {}

  health(): Promise<Health> {
    return this.get('/health', HealthSchema);
  }

  /** The caller's scopes and whether uploads are possible. */
  session(): Promise<Session> {
    return this.get('/session', SessionSchema);
  }

  listSimulations(params: PageQuery = {}): Promise<SimulationPage> {
    return this.get('/simulations', SimulationPageSchema, params);
  }

  getSimulation(id: string): Promise<Simulation> {
    return this.get(`/simulations/${encodeURIComponent(id)}`, SimulationSchema);
  }

  listVariables(id: string, params: VariablePageQuery = {}): Promise<VariablePage> {
    return this.get(`/simulations/${encodeURIComponent(id)}/variables`, VariablePageSchema, params);
  }

  /** Variables found in any of several simulations, each with the ids of those that have it. */
  listSharedVariables(simulations: string[], params: VariablePageQuery = {}): Promise<SharedVariablePage> {
    return this.get('/variables', SharedVariablePageSchema, { ...params, simulation: simulations });
  }

  listParameters(id: string, params: Omit<VariablePageQuery, 'kind'> = {}): Promise<VariablePage> {
    return this.get(`/simulations/${encodeURIComponent(id)}/parameters`, VariablePageSchema, params);
  }

  /** Parameters of two or more simulations side by side; only those that differ unless `all`. */
  parameterDiff(simulations: string[], params: Omit<ParameterDiffQuery, 'simulation'> = {}): Promise<ParameterDiff> {
    return this.get('/parameters/diff', ParameterDiffSchema, { ...params, simulation: simulations });
  }

  /** Event times (time stamps stored twice or more) of one simulation, in simulation seconds. */
  events(id: string, params: EventQuery = {}): Promise<EventPage> {
    return this.get(`/simulations/${encodeURIComponent(id)}/events`, EventPageSchema, params);
  }

  /** Operational figures of the proxy (status counts, recent failures, scans, caches, request timings). */
  stats(params: StatsQuery = {}): Promise<Stats> {
    return this.get('/stats', StatsSchema, params);
  }

  /** `requestId` lets Grafana cancel the previous request with the same id (e.g. while a query is edited). */
  query(request: QueryRequest, requestId?: string): Promise<QueryResponse> {
    return this.send(this.queryRequest(request, requestId), QueryResponseSchema);
  }

  /**
   * The same answer with each series' samples in Float64Arrays (seriesColumns.ts), views of the
   * binary answer: for the backend, which writes them into Arrow frames as they are.
   */
  queryColumns(request: QueryRequest, requestId?: string): Promise<QueryColumns> {
    return this.send(this.queryRequest(request, requestId), QueryColumnsSchema, AS_COLUMNS);
  }

  private queryRequest(request: QueryRequest, requestId: string | undefined): BackendSrvRequest {
    // The binary answer (seriesWire.ts) is smaller and cheaper on both ends; an older proxy answers JSON.
    const accept = `${SERIES_MEDIA_TYPE}, application/json;q=0.9`;
    return { url: `${this.baseUrl}${API_PREFIX}/query`, method: 'POST', data: request, requestId, responseType: 'arraybuffer', headers: { Accept: accept } };
  }

  /** One run against its reference (the sidecar's, or `request.referenceId`) inside a tolerance tube. */
  compare(id: string, request: CompareRequest, requestId?: string): Promise<RegressionResult> {
    return this.post(`/simulations/${encodeURIComponent(id)}/compare`, request, RegressionResultSchema, requestId);
  }

  /** Every selected run that names a reference, against it. */
  compareBatch(request: BatchCompareRequest, requestId?: string): Promise<BatchCompareResponse> {
    return this.post('/compare', request, BatchCompareResponseSchema, requestId);
  }

  /** A running simulation's rows after `query.from`, waiting up to `query.waitMs` for new ones (the live view). */
  rows(id: string, query: RowsQuery): Promise<RowsColumns> {
    // The binary answer (liveRows.ts) is what a long run's catch-up can afford; an older proxy answers JSON.
    const request: BackendSrvRequest = {
      url: `${this.baseUrl}${API_PREFIX}/simulations/${encodeURIComponent(id)}/rows`,
      method: 'GET',
      params: queryParams({ ...query }),
      responseType: 'arraybuffer',
      headers: { Accept: `${ROWS_MEDIA_TYPE}, application/json;q=0.9` },
    };
    return this.send(request, RowsColumnsSchema, AS_ROW_COLUMNS);
  }

  /** Names (or with null removes) the run's reference in its sidecar; needs the `write` scope. */
  setReference(id: string, referenceId: string | null): Promise<Simulation> {
    const request: SetReferenceRequest = { referenceId };
    return this.send(
      { url: `${this.baseUrl}${API_PREFIX}/simulations/${encodeURIComponent(id)}/reference`, method: 'PUT', data: request },
      SimulationSchema
    );
  }

  private post<S extends TSchema>(path: string, data: unknown, schema: S, requestId?: string): Promise<Static<S>> {
    return this.send({ url: `${this.baseUrl}${API_PREFIX}${path}`, method: 'POST', data, requestId }, schema);
  }

  private get<S extends TSchema>(path: string, schema: S, params?: Params): Promise<Static<S>> {
    return this.send({ url: `${this.baseUrl}${API_PREFIX}${path}`, method: 'GET', params: queryParams(params) }, schema);
  }

  private async send<S extends TSchema>(request: BackendSrvRequest, schema: S, form: AnswerForm = AS_ARRAYS): Promise<Static<S>> {
    try {
      return await this.sendOnce(request, schema, form);
    } catch (error) {
      if (!(error instanceof ProxyError) || error.kind !== 'unreachable') {
        throw error;
      }
      // Spread out, so that the panels of a dashboard do not all come back at the same instant.
      const delayMs = Math.round(this.retry.delayMs * (1 + Math.random() / 4));
      await pause(delayMs);
      return this.sendOnce(request, schema, form).catch((again: unknown) => {
        throw again instanceof ProxyError && again.kind === 'unreachable'
          ? new ProxyError('unreachable', `${again.message}; tried again after ${delayMs} ms`, again.status)
          : again;
      });
    }
  }

  private async sendOnce<S extends TSchema>(request: BackendSrvRequest, schema: S, form: AnswerForm): Promise<Static<S>> {
    let response: FetchResponse<unknown>;
    try {
      response = await lastValueFrom(
        this.fetcher.fetch<unknown>({ ...request, showErrorAlert: false, showSuccessAlert: false })
      );
    } catch (error) {
      throw toProxyError(isFetchError(error) ? { ...error, data: bodyOf(error.data, request.url) } : error);
    }
    const data = bodyOf(response.data, request.url, form);
    if (!this.check(schema, data)) {
      throw new ProxyError(
        'invalid_response',
        `unexpected answer from ${request.url}: this URL does not look like a SimViz proxy (or its version is too old)`
      );
    }
    return data;
  }
}

/** Arrays go out as repeated keys (`simulation=a&simulation=b`), as backendSrv serializes them; unset ones not at all. */
function queryParams(params: Params | undefined): Params {
  return Object.fromEntries(Object.entries(params ?? {}).filter(([, v]) => v !== undefined && v !== ''));
}

/** How a body becomes what a call's schema checks: a binary series answer decoded, a JSON answer (parsed) taken or converted. */
interface AnswerForm {
  isBinary(bytes: Uint8Array): boolean;
  binary(bytes: Uint8Array): unknown;
  json(data: unknown): unknown;
}

/** Series samples as JS arrays, as the JSON answer has them. */
const AS_ARRAYS: AnswerForm = { isBinary: isSeriesAnswer, binary: decodeSeriesAnswer, json: (data) => data };
/** Series samples as Float64Arrays (seriesColumns.ts). */
const AS_COLUMNS: AnswerForm = { isBinary: isSeriesAnswer, binary: decodeSeriesColumns, json: jsonAnswerAsColumns };
/** A live rows answer's numbers as Float64Arrays (liveRows.ts). */
const AS_ROW_COLUMNS: AnswerForm = { isBinary: isRowsAnswer, binary: decodeRowsColumns, json: jsonRowsAsColumns };

/**
 * A response body as the rest of the client expects it: bytes (asked for with responseType
 * 'arraybuffer') are a binary series answer, or JSON or text (from an older proxy, or an error);
 * anything else was parsed by the fetcher already.
 */
function bodyOf(data: unknown, url: string, form: AnswerForm = AS_ARRAYS): unknown {
  const bytes = bytesOf(data);
  if (!bytes) {
    return form.json(data);
  }
  if (form.isBinary(bytes)) {
    try {
      return form.binary(bytes);
    } catch (error) {
      throw new ProxyError('invalid_response', `unreadable answer from ${url}: ${error instanceof SeriesWireError ? error.message : messageOf(error)}`);
    }
  }
  const text = new TextDecoder().decode(bytes);
  let parsed: unknown;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
  return form.json(parsed);
}

/** Checked by tag rather than instanceof: test fetchers hand over buffers from another realm. */
function bytesOf(data: unknown): Uint8Array | undefined {
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
    return new Uint8Array(data as ArrayBuffer);
  }
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
}
