/**
 * The browser side of a live query. The backend's answer names, on each frame of a run still
 * being written, the Grafana Live channel that extends it (`meta.custom.live`, see
 * src/backend/live/frames.ts). This subscribes to each channel once, applies every packet's
 * updates to the frames (merge.ts), and emits the whole response again after each packet, as
 * Streaming until every followed run has settled.
 */
import { LiveChannelScope, LoadingState, dataFrameFromJSON, isLiveChannelMessageEvent, isLiveChannelStatusEvent, type DataFrame, type DataFrameJSON, type DataQueryResponse, type LiveChannelAddress, type LiveChannelEvent } from '@grafana/data';
import { Observable, merge, of, switchMap, type Subscription } from 'rxjs';

import type { LiveParams } from '../../shared/liveChannel';
import { updateFromPoints, type LiveUpdateHeader } from '../../shared/live';
import { applyLiveUpdate, emptyLiveView, type LiveView } from './merge';

/** The part of Grafana's live service this needs (getGrafanaLiveSrv() in Grafana). */
export interface LiveService {
  getStream<T>(address: LiveChannelAddress): Observable<LiveChannelEvent<T>>;
}

interface FrameLive {
  path: string;
  params: LiveParams;
  variable: string;
  update?: LiveUpdateHeader;
}

function liveOf(frame: DataFrame | DataFrameJSON['schema']): FrameLive | undefined {
  const live = (frame?.meta?.custom as { live?: FrameLive } | undefined)?.live;
  return live && typeof live.path === 'string' && typeof live.variable === 'string' ? live : undefined;
}

/**
 * The query frame's own points, as a view that only a replace changes: the query's downsampling is
 * not the stream's, so an append cannot extend it (one that comes first means the stream's opening
 * replace was missed, and the channel is joined again for a snapshot).
 */
function initialView(frame: DataFrame): LiveView {
  const view = { ...emptyLiveView(), gap: true };
  view.time = [...(frame.fields[0]?.values ?? [])] as number[];
  view.values = [...(frame.fields[1]?.values ?? [])] as Array<number | null>;
  return view;
}

function withView(frame: DataFrame, view: LiveView): DataFrame {
  const [timeField, valueField, ...rest] = frame.fields;
  return {
    ...frame,
    length: view.time.length,
    // The query frame's sub-millisecond `nanos` do not belong to the stream's points.
    fields: [{ ...timeField, values: view.time.slice(), nanos: undefined }, { ...valueField, values: view.values.slice() }, ...rest],
  };
}

const viewKey = (path: string, variable: string) => `${path}\n${variable}`;

/**
 * The latest whole view of every live series followed in this page, by datasource, channel and
 * variable. Grafana's page shares one subscription per channel and replays no earlier packets, so a
 * query that joins a channel already followed (a re-run, a second panel) starts from here instead
 * of waiting for the stream's next replace. Copies: appends extend a view's arrays in place.
 */
const latestViews = new Map<string, LiveView>();

function copyOf(view: LiveView): LiveView {
  return { ...view, time: view.time.slice(), values: view.values.slice() };
}

/** Follows the live frames of one response; other frames pass through unchanged. */
class LiveResponse {
  private readonly views = new Map<string, LiveView>();

  constructor(
    private readonly response: DataQueryResponse,
    private readonly uid: string
  ) {
    for (const frame of response.data as DataFrame[]) {
      const live = liveOf(frame);
      if (live) {
        const key = viewKey(live.path, live.variable);
        const latest = latestViews.get(`${uid}\n${key}`);
        this.views.set(key, latest ? copyOf(latest) : initialView(frame));
      }
    }
  }

  /** Each channel once, with the parameters Grafana passes to the backend's SubscribeStream and RunStream. */
  channels(): Array<{ path: string; params: LiveParams }> {
    const byPath = new Map<string, LiveParams>();
    for (const frame of this.response.data as DataFrame[]) {
      const live = liveOf(frame);
      if (live) {
        byPath.set(live.path, live.params);
      }
    }
    return [...byPath].map(([path, params]) => ({ path, params }));
  }

  /** Applies a packet's updates to the views they belong to (a view that missed one is left with a gap: see `gapOn`). */
  apply(path: string, packet: unknown): void {
    for (const json of framesOf(packet)) {
      const frame = dataFrameFromJSON(json);
      const live = liveOf(frame);
      const key = live && viewKey(path, live.variable);
      const view = key ? this.views.get(key) : undefined;
      if (!live?.update || !key || !view) {
        continue;
      }
      const next = applyLiveUpdate(view, updateFromPoints(live.update, frame.fields[0]?.values ?? [], frame.fields[1]?.values ?? []));
      this.views.set(key, next);
      if (next.settled) {
        latestViews.delete(`${this.uid}\n${key}`);
      } else if (!next.gap) {
        latestViews.set(`${this.uid}\n${key}`, copyOf(next));
      }
    }
  }

  get settled(): boolean {
    return [...this.views.values()].every((view) => view.settled);
  }

  /** A view of the channel missed an update: it lacks rows until a replace (a snapshot) comes. */
  gapOn(path: string): boolean {
    const prefix = viewKey(path, '');
    return [...this.views].some(([key, view]) => key.startsWith(prefix) && view.gap && !view.settled);
  }

  current(): DataQueryResponse {
    const data = (this.response.data as DataFrame[]).map((frame) => {
      const live = liveOf(frame);
      const view = live && this.views.get(viewKey(live.path, live.variable));
      return view ? withView(frame, view) : frame;
    });
    return { ...this.response, data, state: this.settled ? LoadingState.Done : LoadingState.Streaming };
  }
}

function framesOf(packet: unknown): DataFrameJSON[] {
  const frames = (packet as { frames?: unknown } | null)?.frames;
  return Array.isArray(frames) ? (frames as DataFrameJSON[]) : [];
}

/**
 * A running stream's whole view, fetched out of band (the backend's `live/snapshot` resource):
 * resolves with a packet of replaces, rejects when no stream runs on the channel.
 */
export type SnapshotFetcher = (path: string) => Promise<unknown>;

/**
 * One channel's packets into the response. When an update was missed, the page asks the backend
 * for the stream's snapshot and applies it, then the packets that came meanwhile. Joining the
 * channel again is the fallback (no fetcher, no stream, or still a gap after the snapshot): Grafana
 * shares one subscription per channel in a page, so a rejoin may bring no snapshot at all.
 */
function follow(
  live: LiveService,
  uid: string,
  channel: { path: string; params: LiveParams },
  response: LiveResponse,
  fetchSnapshot: SnapshotFetcher | undefined
): Observable<DataQueryResponse> {
  return new Observable<DataQueryResponse>((subscriber) => {
    let subscription: Subscription | undefined;
    /** Packets that came while a snapshot was on its way, applied after it. */
    let held: unknown[] | undefined;
    const emit = (recover: () => void) => {
      subscriber.next(response.current());
      if (response.settled) {
        subscriber.complete();
      } else if (response.gapOn(channel.path)) {
        recover();
      }
    };
    const catchUp = () => {
      if (!fetchSnapshot) {
        join();
        return;
      }
      held = [];
      const replay = (snapshot: unknown[]) => {
        const messages = [...snapshot, ...(held ?? [])];
        held = undefined;
        if (!subscriber.closed) {
          messages.forEach((message) => response.apply(channel.path, message));
          emit(join);
        }
      };
      // Without a snapshot (no stream runs), the held packets still apply, and a gap left joins again.
      fetchSnapshot(channel.path).then(
        (packet) => replay([packet]),
        () => replay([])
      );
    };
    const join = () => {
      subscription?.unsubscribe();
      subscription = live
        .getStream<unknown>({ scope: LiveChannelScope.DataSource, stream: uid, path: channel.path, data: channel.params })
        .subscribe({
          next: (event) => {
            // A subscription's initial data (the stream's snapshot) comes as the status event's message.
            const message: unknown = isLiveChannelMessageEvent(event) ? event.message : isLiveChannelStatusEvent(event) ? event.message : undefined;
            if (message === undefined || message === null) {
              return;
            }
            if (held) {
              held.push(message);
              return;
            }
            response.apply(channel.path, message);
            emit(catchUp);
          },
          error: (error: unknown) => subscriber.error(error),
        });
    };
    join();
    return () => subscription?.unsubscribe();
  });
}

/**
 * The responses of a live query: the backend's answer at once, then again after each packet of
 * its live channels. A response without live frames passes through as it is.
 */
export function withLiveStreams(
  responses: Observable<DataQueryResponse>,
  uid: string,
  live: LiveService,
  fetchSnapshot?: SnapshotFetcher
): Observable<DataQueryResponse> {
  return responses.pipe(
    switchMap((response) => {
      const followed = new LiveResponse(response, uid);
      const channels = followed.channels();
      if (channels.length === 0) {
        return of(response);
      }
      return merge(of(followed.current()), ...channels.map((channel) => follow(live, uid, channel, followed, fetchSnapshot)));
    })
  );
}
