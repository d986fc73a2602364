/** The services of protos.ts as grpc-js service definitions, parsed once at start. */
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';

import { GO_PLUGIN, GOOGLE_EMPTY, GRPC_HEALTH, PLUGIN_V2 } from './protos';

export interface Services {
  health: ServiceDefinition;
  controller: ServiceDefinition;
  stdio: ServiceDefinition;
  broker: ServiceDefinition;
  data: ServiceDefinition;
  diagnostics: ServiceDefinition;
  resource: ServiceDefinition;
  stream: ServiceDefinition;
}

function child(object: GrpcObject, dotted: string): { service: ServiceDefinition } {
  let node: unknown = object;
  for (const part of dotted.split('.')) {
    node = (node as Record<string, unknown>)[part];
  }
  if (!node || typeof node !== 'function' || !('service' in node)) {
    throw new Error(`protos.ts declares no service ${dotted}`);
  }
  return node as { service: ServiceDefinition };
}

export function loadServices(): Services {
  const root = new protobuf.Root();
  for (const text of [GOOGLE_EMPTY, GRPC_HEALTH, GO_PLUGIN, PLUGIN_V2]) {
    protobuf.parse(text, root, { keepCase: true });
  }
  // Decoded messages: int64 as numbers (epoch milliseconds fit), enums as their names, zero values filled in.
  const definition = fromJSON(root.toJSON(), { keepCase: true, longs: Number, enums: String, defaults: true });
  const grpc = loadPackageDefinition(definition);
  return {
    health: child(grpc, 'grpc.health.v1.Health').service,
    controller: child(grpc, 'plugin.GRPCController').service,
    stdio: child(grpc, 'plugin.GRPCStdio').service,
    broker: child(grpc, 'plugin.GRPCBroker').service,
    data: child(grpc, 'pluginv2.Data').service,
    diagnostics: child(grpc, 'pluginv2.Diagnostics').service,
    resource: child(grpc, 'pluginv2.Resource').service,
    stream: child(grpc, 'pluginv2.Stream').service,
  };
}
