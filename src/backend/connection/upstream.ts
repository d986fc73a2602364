/**
 * Where the backend's REST calls go: the proxy over HTTP, or the embedded API in process. Both
 * take one raw request shape, so CallResource can forward a request byte for byte and the query
 * runners' ProxyClient can run on either through one Fetcher.
 */
import type { BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { from, type Observable } from 'rxjs';

import type { Fetcher } from '../../shared/proxyClient';

export type Headers = Record<string, string[]>;

export interface RawRequest {
  method: string;
  /** Path and query string, e.g. `/api/v1/simulations?limit=1`. */
  url: string;
  headers: Headers;
  body?: Uint8Array;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

export interface Upstream {
  /** Answers with whatever status the API gives; rejects only when no answer came (status 0 errors). */
  request(request: RawRequest): Promise<RawResponse>;
  /** Describes the upstream in messages, e.g. the proxy's URL or the folder. */
  readonly description: string;
}

/** The query string backendSrv would build: arrays as repeated keys. */
export function queryString(params: BackendSrvRequest['params']): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) {
        search.append(key, String(item));
      }
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function encodeBody(data: unknown): { body?: Uint8Array; contentType?: string } {
  if (data === undefined) {
    return {};
  }
  if (data instanceof Uint8Array) {
    return { body: data };
  }
  return { body: new TextEncoder().encode(JSON.stringify(data)), contentType: 'application/json' };
}

function firstHeader(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key][0] : undefined;
}

/**
 * The body as backendSrv hands it over: bytes when asked for, else parsed JSON, else text. The
 * bytes are the answer's own, not a copy in an ArrayBuffer of their own: ProxyClient takes any
 * view, and a series answer's samples stay views of them up to the Arrow frames.
 */
function decodeBody(response: RawResponse, responseType: BackendSrvRequest['responseType']): unknown {
  if (responseType === 'arraybuffer') {
    return response.body;
  }
  const text = new TextDecoder().decode(response.body);
  if (/json/.test(firstHeader(response.headers, 'content-type') ?? '')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function toHeaders(headers: BackendSrvRequest['headers']): Headers {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, [String(value)]]));
}

async function send<T>(upstream: Upstream, options: BackendSrvRequest): Promise<FetchResponse<T>> {
  const { body, contentType } = encodeBody(options.data);
  const headers = toHeaders(options.headers);
  if (contentType) {
    headers['content-type'] = [contentType];
  }
  let response: RawResponse;
  try {
    response = await upstream.request({ method: options.method ?? 'GET', url: `${options.url}${queryString(options.params)}`, headers, body, signal: options.abortSignal });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw { status: 0, data: { message: `${upstream.description}: ${message}` }, config: options } satisfies FetchError;
  }
  const data = decodeBody(response, options.responseType);
  if (response.status >= 400) {
    throw { status: response.status, data, config: options } satisfies FetchError;
  }
  return { data: data as T, status: response.status, statusText: '', ok: true, headers: new globalThis.Headers(), redirected: false, type: 'basic', url: options.url, config: options };
}

/** A backendSrv-style fetcher over an upstream, for ProxyClient. */
export function upstreamFetcher(upstream: Upstream): Fetcher {
  return { fetch: <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> => from(send<T>(upstream, options)) };
}
