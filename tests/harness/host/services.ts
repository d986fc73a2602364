/**
 * Stand-ins for the Grafana runtime services plugins call: backendSrv (HTTP to the Grafana
 * server, with Grafana's error shape and request cancellation by requestId) and templateSrv
 * (dashboard variables, multi-value, scopedVars and formats).
 */
import type { ScopedVars, TimeRange, TypedVariableModel } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse, TemplateSrv } from '@grafana/runtime';
import { from, lastValueFrom, Observable } from 'rxjs';

/** The request URL with its params, arrays as repeated keys (`a=1&a=2`) as Grafana's backendSrv sends them. */
export function buildUrl(options: BackendSrvRequest): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries((options.params ?? {}) as Record<string, unknown>)) {
    if (value === undefined || value === null) {
      continue;
    }
    (Array.isArray(value) ? value : [value]).forEach((v) => params.append(key, String(v)));
  }
  const query = params.toString();
  return query ? `${options.url}${options.url.includes('?') ? '&' : '?'}${query}` : options.url;
}

/** As Grafana's parseResponseBody: the bytes when asked for, else JSON, else text. */
async function parseBody(response: Response, responseType: BackendSrvRequest['responseType']): Promise<unknown> {
  if (responseType === 'arraybuffer') {
    return response.arrayBuffer();
  }
  const text = await response.text();
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class HarnessBackendSrv implements Pick<BackendSrv, 'fetch' | 'get' | 'post' | 'put' | 'delete' | 'patch' | 'request' | 'datasourceRequest'> {
  private readonly inFlight = new Map<string, AbortController>();
  /** Every request the plugin made, for assertions in the browser tests. */
  readonly log: Array<{ method: string; url: string; status: number }> = [];

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return from(this.send<T>(options));
  }

  private async send<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    const method = (options.method ?? 'GET').toUpperCase();
    const controller = new AbortController();
    if (options.requestId) {
      // Grafana cancels the previous request with the same id, e.g. while a query is being edited.
      this.inFlight.get(options.requestId)?.abort();
      this.inFlight.set(options.requestId, controller);
    }
    const url = buildUrl(options);
    const hasBody = options.data !== undefined && method !== 'GET';
    const config = { ...options, url, method };
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        signal: controller.signal,
        headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...(options.headers ?? {}) },
        body: hasBody ? JSON.stringify(options.data) : undefined,
      });
    } catch (error) {
      const cancelled = controller.signal.aborted;
      const failure: FetchError = { status: cancelled ? -1 : 0, statusText: String(error), data: undefined, cancelled, config };
      throw failure;
    } finally {
      if (options.requestId && this.inFlight.get(options.requestId) === controller) {
        this.inFlight.delete(options.requestId);
      }
    }
    const data = await parseBody(response, options.responseType);
    this.log.push({ method, url, status: response.status });
    if (!response.ok) {
      const failure: FetchError = { status: response.status, statusText: response.statusText, data, config };
      throw failure;
    }
    return {
      data: data as T,
      status: response.status,
      statusText: response.statusText,
      ok: true,
      headers: response.headers,
      redirected: response.redirected,
      type: response.type,
      url: response.url,
      config,
    };
  }

  async get<T>(url: string, params?: unknown): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ url, params: params as BackendSrvRequest['params'] }))).data;
  }
  async post<T>(url: string, data?: unknown): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ url, method: 'POST', data }))).data;
  }
  async put<T>(url: string, data?: unknown): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ url, method: 'PUT', data }))).data;
  }
  async patch<T>(url: string, data?: unknown): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ url, method: 'PATCH', data }))).data;
  }
  async delete<T>(url: string, data?: unknown): Promise<T> {
    return (await lastValueFrom(this.fetch<T>({ url, method: 'DELETE', data }))).data;
  }
  async request<T>(options: BackendSrvRequest): Promise<T> {
    return (await lastValueFrom(this.fetch<T>(options))).data;
  }
  datasourceRequest<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return lastValueFrom(this.fetch<T>(options));
  }
}

export interface HarnessVariable {
  name: string;
  /** One value, or several for a multi-value variable. */
  current: string | string[];
}

type Formatter = (value: string | string[]) => string;

const FORMATS: Record<string, Formatter> = {
  raw: (v) => (Array.isArray(v) ? v.join(',') : v),
  csv: (v) => (Array.isArray(v) ? v.join(',') : v),
  pipe: (v) => (Array.isArray(v) ? v.join('|') : v),
  json: (v) => JSON.stringify(v),
  text: (v) => (Array.isArray(v) ? v.join(' + ') : v),
  glob: (v) => (Array.isArray(v) && v.length > 1 ? `{${v.join(',')}}` : String(v)),
  queryparam: (v) => (Array.isArray(v) ? v : [v]).map((x) => `var-=${encodeURIComponent(x)}`).join('&'),
};

/** `$name`, `${name}`, `${name:format}` and `[[name]]`, as Grafana's templateSrv recognises them. */
const VARIABLE_PATTERN = /\$(\w+)|\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)\]\]/g;

export class HarnessTemplateSrv implements TemplateSrv {
  constructor(public variables: HarnessVariable[] = []) {}

  getVariables(): TypedVariableModel[] {
    // The harness keeps only name and value; callers in SimViz read nothing else.
    return this.variables.map((v) => ({ name: v.name, current: { value: v.current, text: v.current } })) as unknown as TypedVariableModel[];
  }

  containsTemplate(target?: string): boolean {
    return Boolean(target && new RegExp(VARIABLE_PATTERN.source).test(target));
  }

  updateTimeRange(_range: TimeRange): void {}

  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE_PATTERN, (match, plain?: string, braced?: string, inlineFormat?: string, legacy?: string) => {
      const name = plain ?? braced ?? legacy ?? '';
      const scoped = scopedVars?.[name];
      const variable = this.variables.find((v) => v.name === name);
      const value = scoped ? (scoped.value as string | string[]) : variable?.current;
      if (value === undefined) {
        return match;
      }
      const chosen = inlineFormat ?? format;
      if (typeof chosen === 'function') {
        return String((chosen as (v: string | string[]) => unknown)(value));
      }
      return (FORMATS[chosen ?? 'glob'] ?? FORMATS.glob)(value);
    });
  }
}
