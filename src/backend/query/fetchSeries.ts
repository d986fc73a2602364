import type { SeriesError, Simulation } from '../../shared/api';
import type { SeriesColumns } from '../../shared/seriesColumns';
import type { SimVizQuery, TimeAxis } from '../../datasource/types';
import type { QueryContext, QueryError } from './context';
import { axisOriginMs, queryWindow } from './timeAxis';

export interface FetchedSeries {
  /** The samples stay in the Float64Arrays of the answer (seriesColumns.ts) until they are written as Arrow. */
  series: SeriesColumns;
  originMs: number;
  simulation: Simulation | undefined;
}

function isError(entry: SeriesColumns | SeriesError): entry is SeriesError {
  return 'error' in entry;
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
): Promise<{ fetched: FetchedSeries[]; errors: QueryError[] }> {
  const simulations = await lookUpSimulations(context, query.simulations);
  // The last seconds of each run end at its own stop time, so such runs are asked for one by one too.
  const perRun = axis === 'runStart' || query.timeMode === 'lastSeconds';
  const groups = perRun ? query.simulations.map((id) => [id]) : [query.simulations];
  const answers = await Promise.all(
    groups.map(async (ids, k) => {
      const originMs = axisOriginMs(axis, simulations.get(ids[0]));
      const window = queryWindow(query, context, axis, originMs, simulations.get(ids[0]));
      const response = await context.client.queryColumns(
        { simulations: ids, variables: query.variables, ...window, maxDataPoints },
        `${context.requestId}-${query.refId}-${k}`
      );
      return { response, originMs };
    })
  );
  const fetched: FetchedSeries[] = [];
  const errors: QueryError[] = [];
  for (const { response, originMs } of answers) {
    for (const entry of response.series) {
      if (isError(entry)) {
        errors.push({ refId: query.refId, message: entry.error.message });
      } else {
        fetched.push({ series: entry, originMs, simulation: simulations.get(entry.simulation) });
      }
    }
  }
  return { fetched, errors };
}
