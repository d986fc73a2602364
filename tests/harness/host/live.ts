/**
 * Grafana's live service in the page (getGrafanaLiveSrv(); in Grafana public/app/features/live:
 * CentrifugeService and CentrifugeLiveChannel), over the harness's subscribe route
 * (tests/harness/backend/live.ts) instead of Centrifuge's WebSocket. What a plugin sees is kept:
 * - one channel per `{orgId}/{scope}/{stream}/{path}` in the page, shared by every getStream() of
 *   it and subscribed with the `data` of the first address; it is shut down 250 ms after its last
 *   observer leaves, so an observer that leaves and comes straight back keeps the same
 *   subscription (no new SubscribeStream);
 * - each observer gets the channel's status first, then its events: a status event per change
 *   (`connected` carries SubscribeStream's data, if any, as its `message`, as Grafana delivers
 *   a subscribe reply's data), `{type: 'message', message}` per packet;
 * - a refused subscription is a status event with the error, then `disconnected`; a lost
 *   connection is `disconnected`, and the channel subscribes again (a new SubscribeStream), as
 *   Centrifuge reconnects.
 * Publishing, presence and data streams are not in the harness.
 */
import {
  LiveChannelConnectionState,
  LiveChannelEventType,
  isValidLiveChannelAddress,
  type DataFrameJSON,
  type DataQueryResponse,
  type LiveChannelAddress,
  type LiveChannelEvent,
  type LiveChannelPresenceStatus,
  type LiveChannelStatusEvent,
} from '@grafana/data';
import type { GrafanaLiveSrv } from '@grafana/runtime';
import { BehaviorSubject, Observable, Subject, of } from 'rxjs';

const SUBSCRIBE_URL = '/api/live/harness/subscribe';
/** As CentrifugeLiveChannel: the subscription outlives its last observer by a quarter second. */
const SHUTDOWN_DELAY_MS = 250;
/** Centrifuge's reconnect back-off, roughly: from half a second up to 5 s. */
const RETRY_MS = [500, 1_000, 2_000, 5_000];
const ORG_ID = 1;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** A server-sent event block: its `event:` name and its `data:` lines joined. */
function parseEvent(block: string): { name: string; data: string } {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) {
      name = line.slice(6).trim();
    } else if (line.startsWith('data:')) {
      data.push(line.slice(5).replace(/^ /, ''));
    }
  }
  return { name, data: data.join('\n') };
}

class HarnessLiveChannel<T = unknown> {
  readonly currentStatus: LiveChannelStatusEvent;
  readonly stream = new Subject<LiveChannelEvent<T>>();
  /** As Grafana: the last frame message with a schema is replayed to observers that join later. */
  private lastMessageWithSchema?: DataFrameJSON;
  private readonly abort = new AbortController();
  shutdownCallback?: () => void;

  constructor(
    readonly id: string,
    readonly addr: LiveChannelAddress
  ) {
    this.currentStatus = { type: LiveChannelEventType.Status, id, timestamp: Date.now(), state: LiveChannelConnectionState.Pending };
  }

  /** Subscribes on the server, and again after a lost connection, until shut down or refused. */
  async connect(): Promise<void> {
    const { signal } = this.abort;
    for (let attempt = 0; !signal.aborted; attempt++) {
      if (attempt > 0) {
        await sleep(RETRY_MS[Math.min(attempt - 1, RETRY_MS.length - 1)], signal);
        if (signal.aborted) {
          return;
        }
        this.setState(LiveChannelConnectionState.Connecting);
      }
      let response: Response;
      try {
        const { scope, stream, path, data } = this.addr;
        response = await fetch(SUBSCRIBE_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope, stream, path, data }), signal });
      } catch (error) {
        this.lost(error);
        continue;
      }
      if (!response.ok || !response.body) {
        // Refused (Centrifuge's codes 100 and up): permanent, as the subscription is then unsubscribed.
        const reason = ((await response.json().catch(() => ({}))) as { message?: string }).message ?? `HTTP ${response.status}`;
        this.currentStatus.error = reason;
        this.setState(LiveChannelConnectionState.Disconnected);
        return;
      }
      try {
        await this.read(response.body);
        this.lost(new Error('the server ended the subscription'));
      } catch (error) {
        this.lost(error);
      }
    }
  }

  private lost(error: unknown): void {
    if (!this.abort.signal.aborted) {
      this.currentStatus.error = error instanceof Error ? error.message : String(error);
      this.setState(LiveChannelConnectionState.Disconnected);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const { name, data } = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        this.receive(name, JSON.parse(data) as unknown);
      }
    }
  }

  private receive(name: string, data: unknown): void {
    if (name === 'subscribed') {
      const initial = (data as { data?: unknown } | null)?.data ?? undefined;
      if ((initial as DataFrameJSON | undefined)?.schema) {
        this.lastMessageWithSchema = initial as DataFrameJSON;
      }
      delete this.currentStatus.error;
      this.setState(LiveChannelConnectionState.Connected, initial);
    } else if (name === 'publication' && data) {
      if ((data as DataFrameJSON).schema) {
        this.lastMessageWithSchema = data as DataFrameJSON;
      }
      this.stream.next({ type: LiveChannelEventType.Message, message: data as T });
      if (this.currentStatus.error) {
        delete this.currentStatus.error;
        this.setState(this.currentStatus.state);
      }
    }
  }

  private setState(state: LiveChannelConnectionState, message?: unknown): void {
    this.currentStatus.state = state;
    this.currentStatus.timestamp = Date.now();
    const copy = { ...this.currentStatus };
    if (message) {
      copy.message = message;
    }
    this.stream.next(copy);
  }

  getStream(): Observable<LiveChannelEvent<T>> {
    return new Observable<LiveChannelEvent<T>>((subscriber) => {
      subscriber.next({ ...this.currentStatus, message: this.lastMessageWithSchema });
      const subscription = this.stream.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        if (this.stream.observers.length === 0) {
          setTimeout(() => this.stream.observers.length === 0 && this.disconnect(), SHUTDOWN_DELAY_MS);
        }
      };
    });
  }

  disconnect(): void {
    if (this.abort.signal.aborted) {
      return;
    }
    this.currentStatus.state = LiveChannelConnectionState.Shutdown;
    this.currentStatus.timestamp = Date.now();
    this.abort.abort();
    this.stream.complete();
    this.shutdownCallback?.();
  }
}

export interface HarnessLiveChannelInfo {
  id: string;
  state: LiveChannelConnectionState;
  observers: number;
  error?: unknown;
}

export class HarnessLiveSrv implements GrafanaLiveSrv {
  private readonly open = new Map<string, HarnessLiveChannel>();
  private readonly connected = new BehaviorSubject(true);

  /** The page's channels now, for the browser specs. */
  channels(): HarnessLiveChannelInfo[] {
    return [...this.open.values()].map((c) => ({ id: c.id, state: c.currentStatus.state, observers: c.stream.observers.length, error: c.currentStatus.error }));
  }

  getConnectionState(): Observable<boolean> {
    return this.connected.asObservable();
  }

  getStream<T>(address: LiveChannelAddress): Observable<LiveChannelEvent<T>> {
    const id = `${ORG_ID}/${address.scope}/${address.stream}/${address.path}`;
    if (!isValidLiveChannelAddress(address)) {
      return of({ type: LiveChannelEventType.Status, id, timestamp: Date.now(), state: LiveChannelConnectionState.Invalid, error: 'invalid channel address' });
    }
    let channel = this.open.get(id) as HarnessLiveChannel<T> | undefined;
    if (!channel) {
      const created = new HarnessLiveChannel<T>(id, address);
      created.shutdownCallback = () => this.open.delete(id);
      this.open.set(id, created as HarnessLiveChannel);
      void created.connect();
      channel = created;
    }
    return channel.getStream();
  }

  getDataStream(): Observable<DataQueryResponse> {
    throw new Error('getGrafanaLiveSrv().getDataStream is not in the harness');
  }

  getPresence(): Promise<LiveChannelPresenceStatus> {
    return Promise.reject(new Error('getGrafanaLiveSrv().getPresence is not in the harness'));
  }

  publish(): Promise<unknown> {
    return Promise.reject(new Error('getGrafanaLiveSrv().publish is not in the harness'));
  }
}
