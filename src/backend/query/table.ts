import type { Frame, Notice } from '../frames/frame';
import { timeAxisOf, type QueryRunner } from './context';
import { fetchSeries, type FetchedSeries } from './fetchSeries';
import { seriesFrame, type SeriesFrameOptions } from './seriesFrame';

/** Rows a raw table asks for unless the query says otherwise; above it the proxy downsamples (and says so). */
export const TABLE_MAX_ROWS = 100_000;

function sameTimes(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((t, i) => Object.is(t, b[i]));
}

/** One table per run when its variables share their time points (one row per time point); otherwise one per series. */
function joinRun(run: FetchedSeries[], options: Omit<SeriesFrameOptions, 'originMs' | 'simulation'>): Frame[] {
  const frames = run.map(({ series, originMs, simulation }) => seriesFrame(series, { ...options, originMs, simulation }));
  const first = run[0].series.time;
  if (run.length === 1 || !run.every(({ series }) => sameTimes(series.time, first))) {
    return frames;
  }
  const notices: Notice[] = frames.flatMap((frame) => frame.meta?.notices ?? []);
  return [
    {
      refId: options.query.refId,
      name: run[0].series.simulationName,
      meta: { preferredVisualisationType: 'table', notices },
      fields: [frames[0].fields[0], ...frames.map((frame) => frame.fields[1])],
    },
  ];
}

/** Raw table: exact values with their time column (up to TABLE_MAX_ROWS per series). */
export const runTable: QueryRunner = async (context, query) => {
  const axis = timeAxisOf(context, query);
  const { fetched, errors } = await fetchSeries(context, query, axis, query.maxDataPoints ?? TABLE_MAX_ROWS);
  const byRun = new Map<string, FetchedSeries[]>();
  for (const entry of fetched) {
    byRun.set(entry.series.simulation, [...(byRun.get(entry.series.simulation) ?? []), entry]);
  }
  const frames = [...byRun.values()].flatMap((run) => joinRun(run, { query, axis }));
  return { frames, errors };
};
