/**
 * The live streams this backend runs now, by datasource and channel path. Grafana's Stream
 * service joins and runs them (services/stream.ts); a subscriber that joins a running one gets its
 * snapshot, and so does a page that missed a packet, out of band through CallResource
 * (`live/snapshot`, services/resource.ts): Grafana keeps one subscription per channel per page, so
 * joining the channel again may hand back the same subscription, with no snapshot.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { messageOf } from '../../shared/proxyClient';
import type { Instances } from '../connection/instances';
import type { PluginContextMessage, StreamRequestMessage } from '../grpc/messages';
import { LiveFeed, LIVE_WAIT_MS } from './feed';
import { livePacket } from './frames';
import { liveParamsOf, LiveRequestError } from './params';

/** What the rows requests of a live stream leave of the connection's deadline for the answer itself. */
const DEADLINE_MARGIN_MS = 2_000;

export type SubscribeStatus = 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED';
export type StreamCall = ServerWritableStream<StreamRequestMessage, { data: Uint8Array }>;

/** Streams end when Grafana cancels them (the last viewer left) or when the stream itself is done. */
export function abortOnCancel(call: StreamCall): AbortController {
  const abort = new AbortController();
  call.on('cancelled', () => {
    abort.abort();
    call.end();
  });
  return abort;
}

function streamKey(pluginContext: PluginContextMessage | null, path: string): string {
  return `${pluginContext?.dataSourceInstanceSettings?.uid ?? ''}/${path}`;
}

export class LiveStreams {
  private readonly running = new Map<string, LiveFeed>();

  constructor(
    private readonly instances: Instances,
    private readonly logger: Logger
  ) {}

  async subscribe(request: StreamRequestMessage): Promise<{ status: SubscribeStatus; data?: Uint8Array }> {
    try {
      const params = liveParamsOf(request.path, request.data);
      const instance = await this.instances.get(request.pluginContext);
      await instance.client().getSimulation(params.simulation);
      return { status: 'OK', data: this.snapshot(request.pluginContext, request.path) };
    } catch (error) {
      const level = error instanceof LiveRequestError ? 'warn' : 'info';
      this.logger[level]({ err: error, path: request.path }, `live subscription refused: ${messageOf(error)}`);
      return { status: 'NOT_FOUND' };
    }
  }

  /** The packet of a running stream's whole view (every variable as a replace), or undefined when none runs or it has no rows yet. */
  snapshot(pluginContext: PluginContextMessage | null, path: string): Uint8Array | undefined {
    const frames = this.running.get(streamKey(pluginContext, path))?.snapshot();
    return frames ? livePacket(frames) : undefined;
  }

  run(call: StreamCall): void {
    const abort = abortOnCancel(call);
    const key = streamKey(call.request.pluginContext, call.request.path);
    void this.follow(call, abort.signal, key)
      .catch((error: unknown) => {
        if (!abort.signal.aborted) {
          this.logger.warn({ err: error, path: call.request.path }, `live stream ended: ${messageOf(error)}`);
        }
      })
      .finally(() => {
        this.running.delete(key);
        if (!abort.signal.aborted) {
          call.end();
        }
      });
  }

  private async follow(call: StreamCall, signal: AbortSignal, key: string): Promise<void> {
    const { path, data, pluginContext } = call.request;
    const params = liveParamsOf(path, data);
    const instance = await this.instances.get(pluginContext);
    const waitMs = instance.deadlineMs === undefined ? LIVE_WAIT_MS : Math.max(0, Math.min(LIVE_WAIT_MS, instance.deadlineMs - DEADLINE_MARGIN_MS));
    const feed = new LiveFeed({ path, params, client: instance.client(signal), logger: this.logger, waitMs });
    this.running.set(key, feed);
    await feed.run(signal, (frames) => call.write({ data: livePacket(frames) }));
  }
}
