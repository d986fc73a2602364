/**
 * What go-plugin's client calls besides the pluginv2 services: the health Ping, the controller's
 * Shutdown, the stdio stream (kept open and silent: logs go to stderr, which the host reads) and
 * the broker stream (SimViz brokers no extra connections).
 */
import type { handleBidiStreamingCall, handleServerStreamingCall, handleUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';

type Empty = Record<string, never>;

export function healthService(): UntypedServiceImplementation {
  const check: handleUnaryCall<{ service: string }, { status: string }> = (call, callback) => {
    // go-plugin pings "plugin"; "" asks about the whole server.
    const known = call.request.service === 'plugin' || call.request.service === '';
    callback(null, { status: known ? 'SERVING' : 'SERVICE_UNKNOWN' });
  };
  return { Check: check };
}

export function controllerService(shutdown: () => void): UntypedServiceImplementation {
  const handler: handleUnaryCall<Empty, Empty> = (_call, callback) => {
    callback(null, {});
    // After the answer is out: the host waits two seconds for the exit, then kills.
    setImmediate(shutdown);
  };
  return { Shutdown: handler };
}

export function stdioService(): UntypedServiceImplementation {
  const stream: handleServerStreamingCall<Empty, unknown> = (call) => {
    call.on('cancelled', () => call.end());
  };
  return { StreamStdio: stream };
}

export function brokerService(): UntypedServiceImplementation {
  const stream: handleBidiStreamingCall<unknown, unknown> = (call) => {
    call.on('data', () => undefined);
    call.on('end', () => call.end());
    call.on('cancelled', () => call.end());
  };
  return { StartStream: stream };
}
