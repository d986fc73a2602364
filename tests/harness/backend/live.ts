/**
 * Grafana Live's server side, as far as a backend datasource's streams go (Grafana's
 * pkg/services/live: the plugin path runner and runstream.Manager), over one HTTP stream per
 * subscription instead of Centrifuge's WebSocket:
 *
 *   POST /api/live/harness/subscribe  {scope: "ds", stream: <uid>, path, data?}
 *
 * calls the backend's SubscribeStream with the datasource's plugin context, the path and the data
 * as JSON bytes. A status other than OK refuses the subscription: 404 (NOT_FOUND, Centrifuge's
 * "unknown channel"), 403 (PERMISSION_DENIED) or 500 (the call failed), `{code, message}`. OK
 * answers 200 with a `text/event-stream` that stays open until the browser leaves:
 *
 *   event: subscribed    data: {"data": <SubscribeStream's data as JSON, or null>}
 *   event: publication   data: <one StreamPacket's data, JSON>
 *
 * The first subscriber of a channel (`ds/<uid>/<path>`) starts its RunStream, with its own data;
 * later ones join it, and every packet goes to every subscriber. A RunStream that ends without an
 * error leaves the channel silent (the next subscriber starts a new one); one that fails is
 * started again, with Grafana's back-off and the settings as they are then. It is cancelled once
 * the channel has had no subscriber for `idleMs` (Grafana: three presence checks 5 s apart).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { PluginContextMessage, StreamRequestMessage } from '../../../src/backend/grpc/messages';
import type { BackendClient } from './client';
import { readBody, type ContextFor } from './routes';

export const LIVE_SUBSCRIBE_ROUTE = '/api/live/harness/subscribe';

/** The characters Grafana allows in a channel path (see src/shared/liveChannel.ts). */
const CHANNEL_PATH = /^[A-Za-z0-9_\-/=.]+$/;
/** runstream.Manager's back-off for a stream that fails within 100 ms of starting: 100 ms · 2^n, at most 5 s. */
const FAST_FAILURE_MS = 100;
const MAX_RETRY_MS = 5_000;
const DEFAULT_IDLE_MS = 1_000;

export type StreamBackend = Pick<BackendClient, 'subscribeStream' | 'runStream'>;

export interface LiveOptions {
  backend: StreamBackend;
  contextFor: ContextFor;
  /** How long a RunStream outlives its channel's last subscriber. */
  idleMs?: number;
  log?: (message: string) => void;
}

interface SubscribeBody {
  scope?: unknown;
  stream?: unknown;
  path?: unknown;
  data?: unknown;
}

interface Channel {
  id: string;
  uid: string;
  path: string;
  subscribers: Set<ServerResponse>;
  /** The running RunStream, if any. */
  run?: AbortController;
  idle?: NodeJS.Timeout;
  /** RunStream calls made, packets published, packets dropped as not JSON: for the harness's status. */
  runs: number;
  packets: number;
  invalid: number;
}

/** What GET /api/harness/live reports of each channel with subscribers or a running stream. */
export interface LiveChannelStatus {
  id: string;
  subscribers: number;
  running: boolean;
  runs: number;
  packets: number;
  invalid: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** One server-sent event; JSON.stringify writes no line breaks, so the data is one `data:` line. */
function event(name: string, json: string): string {
  return `event: ${name}\ndata: ${json}\n\n`;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The bytes as JSON text on one line, or undefined when they are not JSON. */
function jsonLine(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    const parsed = JSON.parse(text) as unknown;
    return /[\r\n]/.test(text) ? JSON.stringify(parsed) : text;
  } catch {
    return undefined;
  }
}

export class LiveChannels {
  private readonly channels = new Map<string, Channel>();
  private readonly idleMs: number;
  private readonly log: (message: string) => void;

  constructor(private readonly options: LiveOptions) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.log = options.log ?? ((message) => process.stderr.write(`[live] ${message}\n`));
  }

  status(): LiveChannelStatus[] {
    return [...this.channels.values()].map((c) => ({ id: c.id, subscribers: c.subscribers.size, running: c.run !== undefined, runs: c.runs, packets: c.packets, invalid: c.invalid }));
  }

  /** POST /api/live/harness/subscribe: one subscriber, for as long as its response stays open. */
  async subscribe(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let closed = false;
    res.once('close', () => (closed = true));
    let body: SubscribeBody;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as SubscribeBody;
    } catch {
      return sendJson(res, 400, { code: 107, message: 'bad request' });
    }
    const { scope, stream: uid, path } = body;
    if (typeof uid !== 'string' || typeof path !== 'string' || !uid || !CHANNEL_PATH.test(path)) {
      return sendJson(res, 400, { code: 107, message: 'bad request: not a valid channel address' });
    }
    if (scope !== 'ds') {
      return sendJson(res, 501, { code: 102, message: `unknown channel: scope "${String(scope)}" is not in the harness (only ds)` });
    }
    const context = this.options.contextFor(uid);
    if (!context) {
      return sendJson(res, 404, { code: 102, message: 'unknown channel: no such datasource' });
    }
    // Grafana hands the subscription's data to the plugin as the JSON bytes the browser sent.
    const data = body.data === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body.data));
    let answer: Awaited<ReturnType<StreamBackend['subscribeStream']>>;
    try {
      answer = await this.options.backend.subscribeStream({ pluginContext: context, path, data });
    } catch (error) {
      this.log(`SubscribeStream ${path} failed: ${String(error)}`);
      return sendJson(res, 500, { code: 100, message: 'internal server error' });
    }
    if (answer.status === 'NOT_FOUND') {
      return sendJson(res, 404, { code: 102, message: 'unknown channel' });
    }
    if (answer.status !== 'OK') {
      return sendJson(res, 403, { code: 103, message: 'permission denied' });
    }
    if (closed) {
      return;
    }
    const initial = answer.data.length > 0 ? jsonLine(answer.data) : 'null';
    if (initial === undefined) {
      this.log(`SubscribeStream ${path}: its data is not JSON; the subscriber gets none`);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    // The reply's data reaches this subscriber alone, before any packet of the channel.
    res.write(event('subscribed', `{"data":${initial ?? 'null'}}`));
    this.join(`ds/${uid}/${path}`, uid, path, data, res);
  }

  /** Ends every stream and subscription (the harness is stopping). */
  close(): void {
    for (const channel of this.channels.values()) {
      clearTimeout(channel.idle);
      channel.run?.abort();
      channel.subscribers.forEach((res) => res.end());
    }
    this.channels.clear();
  }

  private join(id: string, uid: string, path: string, data: Buffer, res: ServerResponse): void {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = { id, uid, path, subscribers: new Set(), runs: 0, packets: 0, invalid: 0 };
      this.channels.set(id, channel);
    }
    const joined = channel;
    clearTimeout(joined.idle);
    joined.idle = undefined;
    joined.subscribers.add(res);
    res.once('close', () => this.leave(joined, res));
    if (!joined.run) {
      void this.run(joined, data);
    }
  }

  private leave(channel: Channel, res: ServerResponse): void {
    channel.subscribers.delete(res);
    if (channel.subscribers.size > 0) {
      return;
    }
    if (!channel.run) {
      this.forget(channel);
      return;
    }
    clearTimeout(channel.idle);
    channel.idle = setTimeout(() => {
      if (channel.subscribers.size === 0) {
        channel.run?.abort();
      }
    }, this.idleMs);
  }

  private forget(channel: Channel): void {
    if (channel.subscribers.size === 0 && !channel.run && this.channels.get(channel.id) === channel) {
      clearTimeout(channel.idle);
      this.channels.delete(channel.id);
    }
  }

  /** The channel's RunStream, started again after a failure, until it ends cleanly or is cancelled. */
  private async run(channel: Channel, data: Buffer): Promise<void> {
    const abort = new AbortController();
    channel.run = abort;
    let fastFailures = 0;
    try {
      while (!abort.signal.aborted) {
        // As Grafana, the plugin context as the settings are now (they may have been saved since).
        const pluginContext: PluginContextMessage | undefined = this.options.contextFor(channel.uid);
        if (!pluginContext) {
          return;
        }
        const request: StreamRequestMessage = { pluginContext, path: channel.path, data };
        const started = Date.now();
        channel.runs++;
        try {
          for await (const packet of this.options.backend.runStream(request, abort.signal)) {
            this.publish(channel, packet);
          }
          return;
        } catch (error) {
          if (abort.signal.aborted) {
            return;
          }
          const fast = Date.now() - started < FAST_FAILURE_MS;
          const delay = fast && fastFailures > 0 ? Math.min(MAX_RETRY_MS, FAST_FAILURE_MS * 2 ** fastFailures) : 0;
          fastFailures = fast ? fastFailures + 1 : 0;
          this.log(`RunStream ${channel.path} failed (${String(error)}); starting it again in ${delay} ms`);
          await pause(delay, abort.signal);
        }
      }
    } finally {
      if (channel.run === abort) {
        channel.run = undefined;
      }
      this.forget(channel);
    }
  }

  private publish(channel: Channel, packet: Uint8Array): void {
    const json = jsonLine(packet);
    if (json === undefined) {
      channel.invalid++;
      this.log(`RunStream ${channel.path} sent a packet that is not JSON; dropped`);
      return;
    }
    channel.packets++;
    const text = event('publication', json);
    channel.subscribers.forEach((res) => res.write(text));
  }
}
