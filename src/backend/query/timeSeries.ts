import { livePath, type LiveParams } from '../../shared/liveChannel';
import type { SimVizQuery, TimeAxis } from '../../datasource/types';
import type { Frame } from '../frames/frame';
import type { LiveFrameMeta } from '../live/frames';
import { MAX_LIVE_POINTS } from '../live/params';
import { timeAxisOf, type QueryRunner } from './context';
import { fetchSeries, type FetchedSeries } from './fetchSeries';
import { seriesFrame } from './seriesFrame';

/** The panel's width as a live stream's bound; a stream has no panel to ask later. */
const DEFAULT_LIVE_POINTS = 1_000;

function liveParams(query: SimVizQuery, simulation: string, axis: TimeAxis, maxDataPoints: number | undefined): LiveParams {
  return {
    simulation,
    variables: query.variables,
    maxDataPoints: Math.min(MAX_LIVE_POINTS, maxDataPoints ?? DEFAULT_LIVE_POINTS),
    timeAxis: axis,
    legend: query.legend,
    displayUnits: query.displayUnits,
  };
}

/** A live query's frames of a run still being written name the channel that extends them. */
function withLiveChannel(frame: Frame, { series, simulation }: FetchedSeries, params: LiveParams): Frame {
  const live: LiveFrameMeta = { path: livePath(params), params, variable: series.resolvedName };
  return simulation?.status === 'writing' ? { ...frame, meta: { ...frame.meta, custom: { live } } } : frame;
}

/** Time series: one frame per run and variable, downsampled by the proxy to the panel's width. */
export const runTimeSeries: QueryRunner = async (context, query) => {
  const axis = timeAxisOf(context, query);
  const maxDataPoints = query.maxDataPoints ?? context.maxDataPoints;
  const { fetched, errors } = await fetchSeries(context, query, axis, maxDataPoints);
  const frames = fetched.map((entry) => {
    const frame = seriesFrame(entry.series, { query, axis, originMs: entry.originMs, simulation: entry.simulation });
    return query.live ? withLiveChannel(frame, entry, liveParams(query, entry.series.simulation, axis, maxDataPoints)) : frame;
  });
  return { frames, errors };
};
