/**
 * pluginv2.Stream (Grafana Live). The `catalog` channel reports the datasource's simulation count
 * and readiness as a one-row frame, at once and whenever it changes; Grafana opens it with
 * `ds/<uid>/catalog`. Publishing is not offered.
 */
import type { handleServerStreamingCall, handleUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { messageOf } from '../../shared/proxyClient';
import type { Instances } from '../connection/instances';
import type { Frame } from '../frames/frame';
import { frameToJson } from '../frames/json';
import type { StreamRequestMessage } from '../grpc/messages';

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

export function streamService(instances: Instances, logger: Logger, pollMs = CATALOG_POLL_MS): UntypedServiceImplementation {
  const subscribe: handleUnaryCall<StreamRequestMessage, { status: string }> = (call, callback) => {
    callback(null, { status: call.request.path === CATALOG_CHANNEL ? 'OK' : 'NOT_FOUND' });
  };
  const publish: handleUnaryCall<StreamRequestMessage, { status: string }> = (_call, callback) => {
    callback(null, { status: 'PERMISSION_DENIED' });
  };
  const run: handleServerStreamingCall<StreamRequestMessage, { data: Uint8Array }> = (call) => {
    if (call.request.path !== CATALOG_CHANNEL) {
      call.end();
      return;
    }
    let last = '';
    let timer: NodeJS.Timeout | undefined;
    const abort = new AbortController();
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
    call.on('cancelled', () => {
      abort.abort();
      clearTimeout(timer);
      call.end();
    });
    void tick();
  };
  return { SubscribeStream: subscribe, RunStream: run, PublishStream: publish };
}
