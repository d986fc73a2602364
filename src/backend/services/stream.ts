/**
 * pluginv2.Stream (Grafana Live). Two kinds of channel:
 * - `catalog` reports the datasource's simulation count and readiness as a one-row frame, at once
 *   and whenever it changes (`ds/<uid>/catalog`);
 * - `live/<simulation>/<key>` follows a run still being written (src/backend/live/): each packet
 *   extends the panels' frames, and the stream ends once the file settles.
 * Publishing is not offered.
 */
import type { handleServerStreamingCall, handleUnaryCall, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { messageOf } from '../../shared/proxyClient';
import type { Instances } from '../connection/instances';
import type { Frame } from '../frames/frame';
import { frameToJson } from '../frames/json';
import type { StreamRequestMessage } from '../grpc/messages';
import { LiveFeed, LIVE_WAIT_MS } from '../live/feed';
import { livePacket } from '../live/frames';
import { liveParamsOf, LiveRequestError } from '../live/params';

export const CATALOG_CHANNEL = 'catalog';
/** How often the catalog channel looks for a change. */
export const CATALOG_POLL_MS = 5_000;
/** What the rows requests of a live stream leave of the connection's deadline for the answer itself. */
const DEADLINE_MARGIN_MS = 2_000;

type Status = 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED';
type StreamCall = ServerWritableStream<StreamRequestMessage, { data: Uint8Array }>;

function catalogFrame(simulations: number, status: string): Frame {
  return {
    name: CATALOG_CHANNEL,
    fields: [
      { name: 'Time', type: 'time', values: [Date.now()] },
      { name: 'Simulations', type: 'number', values: [simulations] },
      { name: 'Status', type: 'string', values: [status] },
    ],
  };
}

/** Streams end when Grafana cancels them (the last viewer left) or when the stream itself is done. */
function abortOnCancel(call: StreamCall): AbortController {
  const abort = new AbortController();
  call.on('cancelled', () => {
    abort.abort();
    call.end();
  });
  return abort;
}

function runCatalog(call: StreamCall, instances: Instances, logger: Logger, pollMs: number): void {
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  const abort = abortOnCancel(call);
  abort.signal.addEventListener('abort', () => clearTimeout(timer));
  const tick = async () => {
    try {
      const instance = await instances.get(call.request.pluginContext);
      const health = await instance.client(abort.signal).health();
      const key = `${health.simulations}:${health.status}`;
      if (key !== last) {
        last = key;
        call.write({ data: new TextEncoder().encode(frameToJson(catalogFrame(health.simulations, health.status))) });
      }
    } catch (error) {
      if (!abort.signal.aborted) {
        logger.warn({ err: error, path: call.request.path }, `catalog stream: ${messageOf(error)}`);
      }
    }
    if (!abort.signal.aborted) {
      timer = setTimeout(tick, pollMs);
    }
  };
  void tick();
}

/** Live streams running now, by datasource and path: a subscriber that joins one gets its snapshot. */
class LiveStreams {
  private readonly running = new Map<string, LiveFeed>();

  constructor(
    private readonly instances: Instances,
    private readonly logger: Logger
  ) {}

  async subscribe(request: StreamRequestMessage): Promise<{ status: Status; data?: Uint8Array }> {
    try {
      const params = liveParamsOf(request.path, request.data);
      const instance = await this.instances.get(request.pluginContext);
      await instance.client().getSimulation(params.simulation);
      const snapshot = this.running.get(streamKey(request))?.snapshot();
      return { status: 'OK', data: snapshot ? livePacket(snapshot) : undefined };
    } catch (error) {
      const level = error instanceof LiveRequestError ? 'warn' : 'info';
      this.logger[level]({ err: error, path: request.path }, `live subscription refused: ${messageOf(error)}`);
      return { status: 'NOT_FOUND' };
    }
  }

  run(call: StreamCall): void {
    const abort = abortOnCancel(call);
    const key = streamKey(call.request);
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

function streamKey(request: StreamRequestMessage): string {
  return `${request.pluginContext?.dataSourceInstanceSettings?.uid ?? ''}/${request.path}`;
}

export function streamService(instances: Instances, logger: Logger, pollMs = CATALOG_POLL_MS): UntypedServiceImplementation {
  const live = new LiveStreams(instances, logger);
  const subscribe: handleUnaryCall<StreamRequestMessage, { status: Status; data?: Uint8Array }> = (call, callback) => {
    if (call.request.path === CATALOG_CHANNEL) {
      callback(null, { status: 'OK' });
      return;
    }
    live.subscribe(call.request).then(
      (reply) => callback(null, reply),
      (error: unknown) => callback(error as Error)
    );
  };
  const publish: handleUnaryCall<StreamRequestMessage, { status: string }> = (_call, callback) => {
    callback(null, { status: 'PERMISSION_DENIED' });
  };
  const run: handleServerStreamingCall<StreamRequestMessage, { data: Uint8Array }> = (call) => {
    if (call.request.path === CATALOG_CHANNEL) {
      runCatalog(call, instances, logger, pollMs);
    } else if (call.request.path.startsWith('live/')) {
      live.run(call);
    } else {
      call.end();
    }
  };
  return { SubscribeStream: subscribe, RunStream: run, PublishStream: publish };
}
