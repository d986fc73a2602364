/**
 * The gRPC server Grafana's plugin manager talks to: go-plugin's services and the pluginv2 ones,
 * on a loopback port from the range the host allows.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { Instances } from './connection/instances';
import { loadServices } from './grpc/definitions';
import { LiveStreams } from './live/streams';
import { dataService } from './services/data';
import { diagnosticsService } from './services/diagnostics';
import { brokerService, controllerService, healthService, stdioService } from './services/pluginHost';
import { resourceService } from './services/resource';
import { streamService } from './services/stream';

/** Grafana's side sends and accepts messages up to about 2 GiB; so does this server. */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

export interface PortRange {
  min: number;
  max: number;
}

export interface RunningBackend {
  port: number;
  instances: Instances;
  /** Stops taking calls, lets running ones finish (at most `graceMs`), closes the instances. */
  stop(graceMs: number): Promise<void>;
}

function bind(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}

/** A free port in the range, tried from a random start as go-plugin does; port 0 when no range is given. */
async function bindInRange(server: Server, range: PortRange | undefined): Promise<number> {
  if (!range) {
    return bind(server, 0);
  }
  const size = range.max - range.min + 1;
  const start = Math.floor(Math.random() * size);
  let lastError: unknown;
  for (let k = 0; k < Math.min(size, 200); k++) {
    try {
      return await bind(server, range.min + ((start + k) % size));
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`no free port between ${range.min} and ${range.max}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

export async function startBackend(logger: Logger, options: { ports?: PortRange; onShutdown: () => void }): Promise<RunningBackend> {
  const services = loadServices();
  const instances = new Instances(logger);
  const server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES });
  server.addService(services.health, healthService());
  server.addService(services.controller, controllerService(options.onShutdown));
  server.addService(services.stdio, stdioService());
  server.addService(services.broker, brokerService());
  server.addService(services.data, dataService(instances, logger));
  server.addService(services.diagnostics, diagnosticsService(instances, logger));
  const live = new LiveStreams(instances, logger);
  server.addService(services.resource, resourceService(instances, live, logger));
  server.addService(services.stream, streamService(instances, live, logger));
  const port = await bindInRange(server, options.ports);
  const stop = async (graceMs: number) => {
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await instances.closeAll();
  };
  return { port, instances, stop };
}
