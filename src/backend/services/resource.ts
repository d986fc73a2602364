/**
 * pluginv2.Resource: CallResource carries the REST API (`/api/v1/...`) to the datasource's
 * upstream, the proxy or the embedded routes, so pages and editors work the same in both modes.
 * Beside it, `live/snapshot?path=<channel>` answers with a running live stream's whole view, for a
 * page that missed one of its packets (live/streams.ts).
 */
import type { handleServerStreamingCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { API_PREFIX } from '../../shared/api';
import { LIVE_SNAPSHOT_PATH, parseLivePath } from '../../shared/liveChannel';
import { messageOf } from '../../shared/proxyClient';
import type { Instances } from '../connection/instances';
import type { LiveStreams } from '../live/streams';
import type { Headers } from '../connection/upstream';
import type { CallResourceRequestMessage, CallResourceResponseMessage, StringList } from '../grpc/messages';

/** Bodies go out in pieces of this size: well under any gRPC message limit. */
const CHUNK_BYTES = 4 * 1024 * 1024;

function jsonError(code: number, kind: string, message: string): { code: number; headers: Headers; body: Uint8Array } {
  return { code, headers: { 'content-type': ['application/json; charset=utf-8'] }, body: new TextEncoder().encode(JSON.stringify({ error: { code: kind, message } })) };
}

function toHeaders(headers: Record<string, StringList>): Headers {
  return Object.fromEntries(Object.entries(headers).map(([name, list]) => [name, list.values]));
}

function toStringLists(headers: Headers): Record<string, StringList> {
  return Object.fromEntries(Object.entries(headers).map(([name, values]) => [name, { values }]));
}

const JSON_HEADERS: Headers = { 'content-type': ['application/json; charset=utf-8'], 'cache-control': ['no-store'] };

function queryParam(url: string, name: string): string | undefined {
  const query = url.indexOf('?');
  return query >= 0 ? (new URLSearchParams(url.slice(query + 1)).get(name) ?? undefined) : undefined;
}

/** The live stream's snapshot packet ({"frames": [...]}, every variable a replace), or why there is none. */
function liveSnapshot(request: CallResourceRequestMessage, live: LiveStreams): { code: number; headers: Headers; body: Uint8Array } {
  if (request.method && request.method !== 'GET') {
    return jsonError(405, 'method_not_allowed', `${LIVE_SNAPSHOT_PATH} answers GET only, not ${request.method}`);
  }
  const path = queryParam(request.url, 'path');
  if (!path || !parseLivePath(path)) {
    return jsonError(400, 'bad_request', `${LIVE_SNAPSHOT_PATH} needs the channel's path, live/<simulation>/<key>, as ?path=`);
  }
  const packet = live.snapshot(request.pluginContext, path);
  return packet
    ? { code: 200, headers: JSON_HEADERS, body: packet }
    : jsonError(404, 'no_stream', `no live stream runs on ${path} (the run has settled, or nobody follows it)`);
}

/** The resource path without its leading slashes (Grafana sends `api/v1/...`; callers may write `/api/v1/...`). */
function resourcePath(request: CallResourceRequestMessage): string {
  return request.path.replace(/^\/+/, '');
}

/** `api/v1/simulations` and the query string of the URL Grafana received. */
function targetOf(request: CallResourceRequestMessage): string | undefined {
  const path = `/${resourcePath(request)}`;
  if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) {
    return undefined;
  }
  const query = request.url.indexOf('?');
  return query >= 0 ? `${path}${request.url.slice(query)}` : path;
}

function send(call: Parameters<handleServerStreamingCall<CallResourceRequestMessage, CallResourceResponseMessage>>[0], answer: { code: number; headers: Headers; body: Uint8Array }): void {
  const first = answer.body.subarray(0, CHUNK_BYTES);
  call.write({ code: answer.code, headers: toStringLists(answer.headers), body: first });
  for (let offset = CHUNK_BYTES; offset < answer.body.length; offset += CHUNK_BYTES) {
    call.write({ body: answer.body.subarray(offset, offset + CHUNK_BYTES) });
  }
  call.end();
}

export function resourceService(instances: Instances, live: LiveStreams, logger: Logger): UntypedServiceImplementation {
  const handler: handleServerStreamingCall<CallResourceRequestMessage, CallResourceResponseMessage> = (call) => {
    const request = call.request;
    if (resourcePath(request) === LIVE_SNAPSHOT_PATH) {
      send(call, liveSnapshot(request, live));
      return;
    }
    const target = targetOf(request);
    if (!target) {
      send(call, jsonError(404, 'not_found', `no resource ${request.path}: the SimViz API is under ${API_PREFIX.slice(1)}/`));
      return;
    }
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort(new Error('the request was cancelled')));
    instances
      .get(request.pluginContext)
      .then(async (instance) => {
        const response = await instance.upstream.request({
          method: request.method || 'GET',
          url: target,
          headers: toHeaders(request.headers),
          body: request.body.length > 0 ? request.body : undefined,
          signal: abort.signal,
        });
        return { code: response.status, headers: response.headers, body: response.body };
      })
      .catch((error: unknown) => {
        logger.warn({ err: error, path: request.path }, 'CallResource failed');
        return jsonError(502, 'unreachable', messageOf(error));
      })
      .then((answer) => {
        if (!abort.signal.aborted) {
          send(call, answer);
        }
      });
  };
  return { CallResource: handler };
}
