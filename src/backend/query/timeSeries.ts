import { timeAxisOf, type QueryRunner } from './context';
import { fetchSeries } from './fetchSeries';
import { seriesFrame } from './seriesFrame';

/** Time series: one frame per run and variable, downsampled by the proxy to the panel's width. */
export const runTimeSeries: QueryRunner = async (context, query) => {
  const axis = timeAxisOf(context, query);
  const { fetched, errors } = await fetchSeries(context, query, axis, query.maxDataPoints ?? context.maxDataPoints);
  const frames = fetched.map(({ series, originMs, simulation }) => seriesFrame(series, { query, axis, originMs, simulation }));
  return { frames, errors };
};
