import type { DataQueryError } from '@grafana/data';

import { isSeriesError, type Series, type Simulation } from '../../shared/api';
import type { SimVizQuery, TimeAxis } from '../types';
import type { QueryContext } from './context';
import { axisOriginMs, simulationWindow } from './timeAxis';

export interface FetchedSeries {
  series: Series;
  originMs: number;
  simulation: Simulation | undefined;
}

/** Catalogue entries of the query's runs; a run that cannot be looked up just lacks metadata. */
export async function lookUpSimulations(context: QueryContext, ids: readonly string[]): Promise<Map<string, Simulation | undefined>> {
  const found = await Promise.all(ids.map((id) => context.simulation(id).catch(() => undefined)));
  return new Map(ids.map((id, k) => [id, found[k]]));
}

/**
 * The query's series, clipped to the dashboard range on `axis` and downsampled to `maxDataPoints`.
 * On the run-start axis each run has its own window, so each gets its own request; otherwise one
 * request serves every run. Per-series failures become per-query errors with the proxy's message.
 */
export async function fetchSeries(
  context: QueryContext,
  query: SimVizQuery,
  axis: TimeAxis,
  maxDataPoints: number | undefined
): Promise<{ fetched: FetchedSeries[]; errors: DataQueryError[] }> {
  const simulations = await lookUpSimulations(context, query.simulations);
  const groups = axis === 'runStart' ? query.simulations.map((id) => [id]) : [query.simulations];
  const answers = await Promise.all(
    groups.map(async (ids, k) => {
      const originMs = axisOriginMs(axis, simulations.get(ids[0]));
      const window = simulationWindow(axis, context.fromMs, context.toMs, originMs);
      const response = await context.client.query(
        { simulations: ids, variables: query.variables, ...window, maxDataPoints },
        `${context.requestId}-${query.refId}-${k}`
      );
      return { response, originMs };
    })
  );
  const fetched: FetchedSeries[] = [];
  const errors: DataQueryError[] = [];
  for (const { response, originMs } of answers) {
    for (const entry of response.series) {
      if (isSeriesError(entry)) {
        errors.push({ refId: query.refId, message: entry.error.message });
      } else {
        fetched.push({ series: entry, originMs, simulation: simulations.get(entry.simulation) });
      }
    }
  }
  return { fetched, errors };
}
