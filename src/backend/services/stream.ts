/**
 * pluginv2.Stream (Grafana Live). Two kinds of channel:
 * - `catalog` reports the datasource's simulation count and readiness as a one-row frame, at once
 *   and whenever it changes (`ds/<uid>/catalog`);
 * - `live/<simulation>/<key>` follows a run still being written (src/backend/live/): each packet
 *   extends the panels' frames, and the stream ends once the file settles.
 * Publishing is not offered.
 */
import type { handleServerStreamingCall, handleUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { messageOf } from '../../shared/proxyClient';
import type { Instances } from '../connection/instances';
import type { Frame } from '../frames/frame';
import { frameToJson } from '../frames/json';
import type { StreamRequestMessage } from '../grpc/messages';
import { abortOnCancel, type LiveStreams, type StreamCall, type SubscribeStatus } from '../live/streams';

export const CATALOG_CHANNEL = 'catalog';
/** How often the catalog channel looks for a change. */
export const CATALOG_POLL_MS = 5_000;

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

export function streamService(instances: Instances, live: LiveStreams, logger: Logger, pollMs = CATALOG_POLL_MS): UntypedServiceImplementation {
  const subscribe: handleUnaryCall<StreamRequestMessage, { status: SubscribeStatus; data?: Uint8Array }> = (call, callback) => {
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
