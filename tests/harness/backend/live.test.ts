/**
 * The harness's Grafana Live server side against a scripted backend: the channel rules Grafana's
 * live service applies to a plugin's streams (the browser spec tests/browser/live.spec.ts runs the
 * real backend through it).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';

import type { PluginContextMessage, StreamRequestMessage } from '../../../src/backend/grpc/messages';
import type { SubscribeStreamResponseMessage } from './client';
import { LIVE_SUBSCRIBE_ROUTE, LiveChannels, type StreamBackend } from './live';

const IDLE_MS = 100;

function contextOf(uid: string): PluginContextMessage {
  return {
    orgId: 1,
    pluginId: 'simviz-simulation-datasource',
    user: null,
    dataSourceInstanceSettings: { id: 1, uid, name: uid, url: '', jsonData: Buffer.from('{}'), decryptedSecureJsonData: {}, lastUpdatedMS: 1 },
    grafanaConfig: {},
  };
}

interface ScriptedRun {
  request: StreamRequestMessage;
  stream: PassThrough;
  cancelled: boolean;
}

class ScriptedBackend implements StreamBackend {
  readonly subscribes: StreamRequestMessage[] = [];
  readonly runs: ScriptedRun[] = [];
  answer: SubscribeStreamResponseMessage = { status: 'OK', data: new Uint8Array() };

  async subscribeStream(request: StreamRequestMessage): Promise<SubscribeStreamResponseMessage> {
    this.subscribes.push(request);
    return this.answer;
  }

  runStream(request: StreamRequestMessage, signal: AbortSignal): AsyncIterable<Uint8Array> {
    const run: ScriptedRun = { request, stream: new PassThrough({ objectMode: true }), cancelled: false };
    signal.addEventListener('abort', () => {
      run.cancelled = true;
      run.stream.end();
    });
    this.runs.push(run);
    return run.stream;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A browser's subscription: its status and the events it has received so far. */
class Subscription {
  readonly events: Array<{ name: string; data: unknown }> = [];
  private readonly abort = new AbortController();
  status = 0;
  body: unknown;

  static async open(base: string, address: object): Promise<Subscription> {
    const subscription = new Subscription();
    const response = await fetch(base + LIVE_SUBSCRIBE_ROUTE, { method: 'POST', body: JSON.stringify(address), signal: subscription.abort.signal });
    subscription.status = response.status;
    if (!response.ok) {
      subscription.body = await response.json();
      return subscription;
    }
    void subscription.read(response.body!);
    return subscription;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += decoder.decode(chunk.value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const name = lines.find((l) => l.startsWith('event: '))!.slice(7);
          this.events.push({ name, data: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) as unknown });
        }
      }
    } catch {
      // closed by the test
    }
  }

  close(): void {
    this.abort.abort();
  }
}

const packet = (json: object) => Buffer.from(JSON.stringify(json));
const address = (path: string, data?: object) => ({ scope: 'ds', stream: 'ds1', path, data });

describe('the harness stand-in for Grafana Live', () => {
  let backend: ScriptedBackend;
  let live: LiveChannels;
  let server: Server;
  let base: string;
  const open: Subscription[] = [];
  const subscribe = async (body: object) => {
    const subscription = await Subscription.open(base, body);
    open.push(subscription);
    return subscription;
  };

  beforeEach(async () => {
    backend = new ScriptedBackend();
    live = new LiveChannels({ backend, contextFor: (uid) => (uid === 'ds1' ? contextOf(uid) : undefined), idleMs: IDLE_MS, log: () => {} });
    server = createServer((req, res) => void live.subscribe(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    open.splice(0).forEach((s) => s.close());
    live.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('runs one stream per channel for all its subscribers, each getting its own subscribe data first', async () => {
    const first = await subscribe(address('live/a', { n: 1 }));
    expect(first.status).toBe(200);
    await until(() => backend.runs.length === 1, 'the RunStream');
    expect(backend.subscribes[0]).toMatchObject({ path: 'live/a', data: Buffer.from('{"n":1}') });
    expect(backend.subscribes[0].pluginContext?.dataSourceInstanceSettings?.uid).toBe('ds1');
    expect(backend.runs[0].request).toMatchObject({ path: 'live/a', data: Buffer.from('{"n":1}') });
    backend.runs[0].stream.write(packet({ seq: 1 }));
    await until(() => first.events.length === 2, 'the first packet');

    backend.answer = { status: 'OK', data: packet({ snapshot: 1 }) };
    const second = await subscribe(address('live/a', { n: 1 }));
    await until(() => second.events.length === 1, 'the second subscription');
    backend.runs[0].stream.write(packet({ seq: 2 }));
    await until(() => first.events.length === 3 && second.events.length === 2, 'the second packet');

    expect(backend.runs).toHaveLength(1);
    expect(first.events).toEqual([
      { name: 'subscribed', data: { data: null } },
      { name: 'publication', data: { seq: 1 } },
      { name: 'publication', data: { seq: 2 } },
    ]);
    expect(second.events).toEqual([
      { name: 'subscribed', data: { data: { snapshot: 1 } } },
      { name: 'publication', data: { seq: 2 } },
    ]);
    expect(live.status()).toEqual([{ id: 'ds/ds1/live/a', subscribers: 2, running: true, runs: 1, packets: 2, invalid: 0 }]);
  });

  it('refuses a subscription the backend does not accept, and runs nothing for it', async () => {
    backend.answer = { status: 'NOT_FOUND', data: new Uint8Array() };
    expect((await subscribe(address('live/a'))).status).toBe(404);
    backend.answer = { status: 'PERMISSION_DENIED', data: new Uint8Array() };
    expect((await subscribe(address('live/a'))).status).toBe(403);
    expect((await subscribe({ ...address('live/a'), stream: 'nope' })).status).toBe(404);
    expect((await subscribe(address('bad path!'))).status).toBe(400);
    expect((await subscribe({ ...address('live/a'), scope: 'grafana' })).status).toBe(501);
    expect(backend.runs).toHaveLength(0);
    expect(live.status()).toEqual([]);
  });

  it('cancels the stream once its channel has had no subscriber for a while, not at once', async () => {
    const first = await subscribe(address('live/a'));
    await until(() => backend.runs.length === 1, 'the RunStream');
    first.close();
    await until(() => live.status()[0]?.subscribers === 0, 'the subscriber to leave');
    expect(backend.runs[0].cancelled).toBe(false);
    // Back within the grace period: the same stream goes on.
    const again = await subscribe(address('live/a'));
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2));
    expect(backend.runs[0].cancelled).toBe(false);
    again.close();
    await until(() => backend.runs[0].cancelled, 'the RunStream to be cancelled');
    await until(() => live.status().length === 0, 'the channel to be gone');
    expect(backend.runs).toHaveLength(1);
  });

  it('starts a failed stream again; one that ends leaves its subscribers connected, and the next subscriber starts a new one', async () => {
    const first = await subscribe(address('live/a', { n: 1 }));
    await until(() => backend.runs.length === 1, 'the RunStream');
    backend.runs[0].stream.destroy(new Error('backend restarted'));
    await until(() => backend.runs.length === 2, 'the RunStream started again');
    backend.runs[1].stream.write(packet({ seq: 1 }));
    backend.runs[1].stream.end();
    await until(() => live.status()[0]?.running === false, 'the stream to end');
    expect(first.events.map((e) => e.name)).toEqual(['subscribed', 'publication']);
    expect(live.status()[0]).toMatchObject({ subscribers: 1, runs: 2 });

    const second = await subscribe(address('live/a', { n: 2 }));
    await until(() => backend.runs.length === 3, 'a new RunStream');
    expect(backend.runs[2].request.data).toEqual(Buffer.from('{"n":2}'));
    backend.runs[2].stream.write(packet({ seq: 1, again: true }));
    await until(() => first.events.length === 3 && second.events.length === 2, 'the new stream’s packet');
  });

  it('drops a packet that is not JSON and forwards the rest', async () => {
    const first = await subscribe(address('live/a'));
    await until(() => backend.runs.length === 1, 'the RunStream');
    backend.runs[0].stream.write(Buffer.from('{not json'));
    backend.runs[0].stream.write(Buffer.from('{\n"pretty": true\n}'));
    await until(() => first.events.length === 2, 'the JSON packet');
    expect(first.events[1]).toEqual({ name: 'publication', data: { pretty: true } });
    expect(live.status()[0]).toMatchObject({ packets: 1, invalid: 1 });
  });
});
