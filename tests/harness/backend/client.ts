/**
 * Grafana's side of the plugin protocol, as far as the stand-in needs it: gRPC clients for the
 * backend's Data, Diagnostics, Resource and Stream services, over the service definitions the
 * backend itself serves (src/backend/grpc), so the two cannot disagree about the messages.
 */
import { credentials, makeGenericClientConstructor, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';

import { loadServices } from '../../../src/backend/grpc/definitions';
import type {
  CallResourceRequestMessage,
  CallResourceResponseMessage,
  CheckHealthRequestMessage,
  CheckHealthResponseMessage,
  DataQueryMessage,
  PluginContextMessage,
  QueryDataResponseMessage,
  StreamRequestMessage,
} from '../../../src/backend/grpc/messages';

/** As Grafana's plugin client: messages up to about 2 GiB either way. */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

type Unary<Req, Res> = (request: Req, callback: (error: ServiceError | null, response?: Res) => void) => void;

/** The methods grpc-js generates on the clients (typed here: makeGenericClientConstructor's clients are untyped). */
interface DataClient extends Client {
  QueryData: Unary<{ pluginContext: PluginContextMessage; headers: Record<string, string>; queries: DataQueryMessage[] }, QueryDataResponseMessage>;
}
interface DiagnosticsClient extends Client {
  CheckHealth: Unary<CheckHealthRequestMessage, CheckHealthResponseMessage>;
}
interface ResourceClient extends Client {
  CallResource(request: CallResourceRequestMessage): ClientReadableStream<CallResourceResponseMessage>;
}
interface StreamClient extends Client {
  SubscribeStream: Unary<StreamRequestMessage, SubscribeStreamResponseMessage>;
  RunStream(request: StreamRequestMessage): ClientReadableStream<{ data: Uint8Array }>;
}

/** pluginv2.SubscribeStreamResponse as proto-loader decodes it (enums as names, bytes empty when unset). */
export interface SubscribeStreamResponseMessage {
  status: 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED';
  data: Uint8Array;
}

function unary<Req, Res>(client: Client, method: Unary<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, (error, response) => (error || !response ? reject(error ?? new Error('no response')) : resolve(response)));
  });
}

export interface ResourceAnswer {
  code: number;
  headers: Record<string, string[]>;
  /** Each chunk as the backend streamed it. */
  chunks: AsyncIterable<Uint8Array>;
}

export class BackendClient {
  private readonly data: DataClient;
  private readonly diagnostics: DiagnosticsClient;
  private readonly resource: ResourceClient;
  private readonly stream: StreamClient;

  constructor(address: string) {
    const services = loadServices();
    const options = { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES };
    const make = <T extends Client>(definition: Parameters<typeof makeGenericClientConstructor>[0], name: string) =>
      new (makeGenericClientConstructor(definition, name))(address, credentials.createInsecure(), options) as unknown as T;
    this.data = make<DataClient>(services.data, 'Data');
    this.diagnostics = make<DiagnosticsClient>(services.diagnostics, 'Diagnostics');
    this.resource = make<ResourceClient>(services.resource, 'Resource');
    this.stream = make<StreamClient>(services.stream, 'Stream');
  }

  queryData(pluginContext: PluginContextMessage, queries: DataQueryMessage[], headers: Record<string, string>): Promise<QueryDataResponseMessage> {
    return unary(this.data, this.data.QueryData, { pluginContext, headers, queries });
  }

  checkHealth(pluginContext: PluginContextMessage): Promise<CheckHealthResponseMessage> {
    return unary(this.diagnostics, this.diagnostics.CheckHealth, { pluginContext });
  }

  /**
   * The first message carries the status and headers, the rest only body chunks, as Grafana's
   * CallResource handler reads the stream; resolves once the first message is in.
   */
  callResource(request: CallResourceRequestMessage, signal: AbortSignal): Promise<ResourceAnswer> {
    const stream = this.resource.CallResource(request);
    signal.addEventListener('abort', () => stream.cancel(), { once: true });
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<CallResourceResponseMessage>;
    return iterator.next().then((first) => {
      if (first.done) {
        throw new Error('the backend ended CallResource without a response');
      }
      const head = first.value;
      async function* chunks(): AsyncIterable<Uint8Array> {
        yield head.body;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          yield next.value.body;
        }
      }
      const headers = Object.fromEntries(Object.entries(head.headers ?? {}).map(([name, list]) => [name, list.values]));
      return { code: head.code ?? 0, headers, chunks: chunks() };
    });
  }

  /** Whether a subscriber may join the channel at `path`, and the data it gets first (Grafana Live's OnSubscribe). */
  subscribeStream(request: StreamRequestMessage): Promise<SubscribeStreamResponseMessage> {
    return unary(this.stream, this.stream.SubscribeStream, request);
  }

  /**
   * The channel's packets (each StreamPacket's data) until the backend ends the stream; aborting
   * `signal` cancels the call, as Grafana cancels a stream whose channel has no subscribers left,
   * and ends the iteration without an error. Any other failure is thrown.
   */
  async *runStream(request: StreamRequestMessage, signal: AbortSignal): AsyncIterable<Uint8Array> {
    if (signal.aborted) {
      return;
    }
    const call = this.stream.RunStream(request);
    const cancel = () => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for await (const packet of call as AsyncIterable<{ data: Uint8Array }>) {
        yield packet.data;
      }
    } catch (error) {
      if (!signal.aborted) {
        throw error;
      }
    } finally {
      signal.removeEventListener('abort', cancel);
      // A consumer that stops early (return or throw) ends the call too.
      call.cancel();
    }
  }

  close(): void {
    [this.data, this.diagnostics, this.resource, this.stream].forEach((client) => client.close());
  }
}
