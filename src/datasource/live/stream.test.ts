/**
 * The browser side of a live query: a response whose frames name a live channel is followed over
 * Grafana Live (here a stand-in for the server part: packets made by the backend's own frame code
 * from a real LiveSeries), each packet applied to the frames, Streaming until the run settles.
 */
import { LiveChannelConnectionState, LiveChannelEventType, LoadingState, type DataFrame, type DataFrameJSON, type DataQueryResponse, type LiveChannelAddress, type LiveChannelEvent } from '@grafana/data';
import { Subject, lastValueFrom, of, toArray, type Observable } from 'rxjs';

import { LiveSeries } from '../../engine/live/downsample';
import { liveFrame } from '../../backend/live/frames';
import { frameToJson } from '../../backend/frames/json';
import type { Simulation } from '../../shared/api';
import { livePath, type LiveParams } from '../../shared/liveChannel';
import type { RowsSeries } from '../../shared/liveRows';
import { withLiveStreams, type LiveService } from './stream';

const params: LiveParams = { simulation: 'AAAAAAAAAAAAAAAAAAAAAA', variables: ['x'], maxDataPoints: 40, timeAxis: 'simulation' };
const path = livePath(params);
const simulation = { id: params.simulation, name: 'run', status: 'writing' } as Simulation;
const meta: RowsSeries = { variable: 'x', resolvedName: 'x', unit: 'm', displayUnit: null, valueType: null, description: '', values: [] };

class StandInLive implements LiveService {
  readonly addresses: LiveChannelAddress[] = [];
  readonly events = new Subject<LiveChannelEvent<unknown>>();

  getStream<T>(address: LiveChannelAddress): Observable<LiveChannelEvent<T>> {
    this.addresses.push(address);
    return this.events as unknown as Observable<LiveChannelEvent<T>>;
  }

  send(message: unknown): void {
    this.events.next({ type: LiveChannelEventType.Message, message });
  }

  /** As Grafana delivers a subscription's initial data: the message of the `connected` status event. */
  connect(message: unknown): void {
    this.events.next({ type: LiveChannelEventType.Status, id: 'ds/ds-uid/' + path, timestamp: Date.now(), state: LiveChannelConnectionState.Connected, message });
  }
}

function packetOf(series: LiveSeries, time: number[], values: number[], settled = false): unknown {
  const update = series.push(Float64Array.from(time), Float64Array.from(values), { settled })!;
  const json = frameToJson(liveFrame({ path, params, simulation, series: meta, update }));
  return { frames: [JSON.parse(json) as DataFrameJSON] };
}

function queryFrame(): DataFrame {
  return {
    refId: 'A',
    name: 'run x',
    length: 1,
    meta: { custom: { live: { path, params, variable: 'x' } } },
    fields: [
      { name: 'Time', type: 'time' as DataFrame['fields'][number]['type'], config: {}, values: [0] },
      { name: 'x', type: 'number' as DataFrame['fields'][number]['type'], config: {}, values: [0] },
    ],
  } as DataFrame;
}

describe('withLiveStreams', () => {
  it('subscribes to the channel the frames name, extends them packet by packet, and completes when the run settles', async () => {
    const live = new StandInLive();
    const other = { refId: 'B', name: 'finished run', length: 0, fields: [] } as DataFrame;
    const responses = withLiveStreams(of<DataQueryResponse>({ data: [queryFrame(), other] }), 'ds-uid', live);
    const all = lastValueFrom(responses.pipe(toArray()));
    expect(live.addresses).toEqual([{ scope: 'ds', stream: 'ds-uid', path, data: params }]);

    const series = new LiveSeries({ maxPoints: params.maxDataPoints });
    const time = Array.from({ length: 200 }, (_, i) => i * 0.1);
    const x = time.map((t) => Math.sin(t));
    live.connect(packetOf(series, time.slice(0, 10), x.slice(0, 10)));
    live.send(packetOf(series, time.slice(10, 120), x.slice(10, 120)));
    live.send(packetOf(series, time.slice(120), x.slice(120), true));

    const emitted = await all;
    expect(emitted.map((r) => r.state)).toEqual([LoadingState.Streaming, LoadingState.Streaming, LoadingState.Streaming, LoadingState.Done]);
    const first = emitted[1].data[0] as DataFrame;
    // The first packet replaces the query's own point: exactly the ten rows, in Grafana time.
    expect(first.fields[0].values).toEqual(time.slice(0, 10).map((t) => t * 1000));
    expect(first.fields[1].values).toEqual(x.slice(0, 10));
    const last = emitted[3].data[0] as DataFrame;
    const snapshot = series.snapshot();
    expect(last.fields[0].values).toEqual(snapshot.time.map((t) => t * 1000));
    expect(last.fields[1].values).toEqual(snapshot.values);
    expect(last.fields[0].values.length).toBeLessThanOrEqual(params.maxDataPoints);
    expect(last.fields[1].values[last.length - 1]).toBe(x[x.length - 1]);
    // The other query's frame passes through untouched.
    expect(emitted.every((r) => r.data[1] === other)).toBe(true);
  });

  it('joins again for a snapshot when its first packet is an append (the opening replace was missed)', () => {
    const live = new StandInLive();
    withLiveStreams(of<DataQueryResponse>({ data: [queryFrame()] }), 'ds-uid', live).subscribe();
    const series = new LiveSeries({ maxPoints: params.maxDataPoints });
    packetOf(series, [0, 0.1], [0, 0.1]);
    live.send(packetOf(series, [0.2], [0.2]));
    expect(live.addresses).toHaveLength(2);
  });

  it("fetches the stream's snapshot when a packet was missed, then applies the packets that came meanwhile", async () => {
    const live = new StandInLive();
    const asked: string[] = [];
    let answer: (packet: unknown) => void = () => undefined;
    const fetchSnapshot = (at: string) => {
      asked.push(at);
      return new Promise<unknown>((resolve) => (answer = resolve));
    };
    const seen: DataQueryResponse[] = [];
    withLiveStreams(of<DataQueryResponse>({ data: [queryFrame()] }), 'ds-uid-3', live, fetchSnapshot).subscribe((r) => seen.push(r));
    const series = new LiveSeries({ maxPoints: params.maxDataPoints });
    live.connect(packetOf(series, [0, 0.1], [1, 2]));
    packetOf(series, [0.2], [3]); // lost on the way
    live.send(packetOf(series, [0.3], [4]));
    expect(asked).toEqual([path]);
    const atFetch = series.snapshot();
    // Sent while the snapshot is on its way: held, then applied after it.
    live.send(packetOf(series, [0.4], [5]));
    answer({ frames: [JSON.parse(frameToJson(liveFrame({ path, params, simulation, series: meta, update: atFetch })))] });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const last = seen[seen.length - 1].data[0] as DataFrame;
    expect(last.fields[1].values).toEqual([1, 2, 3, 4, 5]);
    expect(last.fields[0].values).toEqual([0, 100, 200, 300, 400]);
    // No second subscription: Grafana might have handed back the same one, without a snapshot.
    expect(live.addresses).toHaveLength(1);
    live.send(packetOf(series, [0.5], [6]));
    expect((seen[seen.length - 1].data[0] as DataFrame).fields[1].values).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('joins the channel again when no stream answers for the snapshot', async () => {
    const live = new StandInLive();
    const fetchSnapshot = () => Promise.reject(new Error('404 no_stream'));
    withLiveStreams(of<DataQueryResponse>({ data: [queryFrame()] }), 'ds-uid-4', live, fetchSnapshot).subscribe();
    const series = new LiveSeries({ maxPoints: params.maxDataPoints });
    live.connect(packetOf(series, [0, 0.1], [1, 2]));
    packetOf(series, [0.2], [3]);
    live.send(packetOf(series, [0.3], [4]));
    expect(live.addresses).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(live.addresses).toHaveLength(2);
  });

  it('starts a second query on a channel this page already follows from the latest view, not its own points', () => {
    const live = new StandInLive();
    const first = withLiveStreams(of<DataQueryResponse>({ data: [queryFrame()] }), 'ds-uid-2', live).subscribe();
    const series = new LiveSeries({ maxPoints: params.maxDataPoints });
    live.send(packetOf(series, [0, 0.1, 0.2], [5, 6, 7]));
    const seen: DataQueryResponse[] = [];
    const second = withLiveStreams(of<DataQueryResponse>({ data: [queryFrame()] }), 'ds-uid-2', live).subscribe((r) => seen.push(r));
    expect((seen[0].data[0] as DataFrame).fields[1].values).toEqual([5, 6, 7]);
    // And the next append applies to it.
    live.send(packetOf(series, [0.3], [8]));
    expect((seen[seen.length - 1].data[0] as DataFrame).fields[1].values).toEqual([5, 6, 7, 8]);
    first.unsubscribe();
    second.unsubscribe();
  });

  it('passes a response without live frames through as it is', async () => {
    const live = new StandInLive();
    const response: DataQueryResponse = { data: [{ refId: 'A', length: 0, fields: [] }] };
    expect(await lastValueFrom(withLiveStreams(of(response), 'ds-uid', live))).toBe(response);
    expect(live.addresses).toEqual([]);
  });
});
