/** The embedded REST API as an upstream: the proxy's own routes, run in process by fastify's inject. */
import type { Readable } from 'node:stream';

import type { App } from '../../proxy/http/app';
import type { Headers, RawRequest, RawResponse, Upstream } from './upstream';

function flatHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, values]) => [name.toLowerCase(), values.join(', ')]));
}

function multiHeaders(headers: Record<string, string | string[] | number | undefined>): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) {
      out[name] = Array.isArray(value) ? value : [String(value)];
    }
  }
  return out;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

export class InjectUpstream implements Upstream {
  constructor(
    private readonly app: App,
    readonly description: string
  ) {}

  async request(request: RawRequest): Promise<RawResponse> {
    request.signal?.throwIfAborted();
    // As a stream: light-my-request otherwise also turns every answer into a UTF-8 string, which
    // for a 650 KB binary series answer cost 5 ms and as much garbage, and nobody reads it.
    const response = await this.app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: flatHeaders(request.headers),
      payload: request.body ? Buffer.from(request.body) : undefined,
      payloadAsStream: true,
    });
    return { status: response.statusCode, headers: multiHeaders(response.headers), body: await bytesOf(response.stream()) };
  }
}
