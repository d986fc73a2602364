/** The SimViz proxy as an upstream: HTTP with the datasource's API key, which never leaves the backend. */
import type { Headers, RawRequest, RawResponse, Upstream } from './upstream';

/** Headers a forwarded browser request must not carry to the proxy (Grafana's own session, hop-by-hop). */
const DROPPED = new Set(['authorization', 'cookie', 'host', 'connection', 'content-length', 'transfer-encoding', 'x-grafana-org-id', 'x-grafana-device-id']);

function responseHeaders(response: Response): Headers {
  const headers: Headers = {};
  response.headers.forEach((value, name) => {
    headers[name] = [...(headers[name] ?? []), value];
  });
  return headers;
}

export class HttpUpstream implements Upstream {
  readonly description: string;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs: number
  ) {
    this.description = `the SimViz proxy at ${baseUrl}`;
  }

  async request(request: RawRequest): Promise<RawResponse> {
    const headers = new globalThis.Headers();
    for (const [name, values] of Object.entries(request.headers)) {
      if (!DROPPED.has(name.toLowerCase())) {
        values.forEach((value) => headers.append(name, value));
      }
    }
    if (this.apiKey) {
      headers.set('authorization', `Bearer ${this.apiKey}`);
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const response = await fetch(`${this.baseUrl.replace(/\/+$/, '')}${request.url}`, {
      method: request.method,
      headers,
      body: request.body && request.method !== 'GET' && request.method !== 'HEAD' ? new Uint8Array(request.body) : undefined,
      signal,
    }).catch((error: unknown) => {
      throw new Error(timeout.aborted ? `no answer within ${this.timeoutMs / 1000} s` : causeOf(error));
    });
    return { status: response.status, headers: responseHeaders(response), body: new Uint8Array(await response.arrayBuffer()) };
  }
}

/** undici reports "fetch failed" and puts the reason (ECONNREFUSED, ENOTFOUND) in the cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause ? `${message} (${cause.code ?? cause.message ?? 'no detail'})` : message;
}
