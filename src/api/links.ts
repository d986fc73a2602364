import { urlUtil } from '@grafana/data';
import { config } from '@grafana/runtime';

import type { Simulation } from '../shared/api';
import type { SimVizQuery } from '../datasource/types';
import { COMPARE_DASHBOARD_UID, DATASOURCE_TYPE, OVERVIEW_DASHBOARD_UID, prefixRoute, REGRESSION_DASHBOARD_UID, ROUTES } from '../constants';

/** Simulation time t s is shown at epoch + t (the datasource's `simulation` time axis), in ms. */
export interface SimulationRange {
  from: number;
  to: number;
}

const DEFAULT_RANGE: SimulationRange = { from: 0, to: 10_000 };

export function simulationRange(simulation: Pick<Simulation, 'startTime' | 'stopTime'>): SimulationRange {
  if (simulation.startTime === null || simulation.stopTime === null || !(simulation.stopTime > simulation.startTime)) {
    return DEFAULT_RANGE;
  }
  return { from: Math.floor(simulation.startTime * 1000), to: Math.ceil(simulation.stopTime * 1000) };
}

/** The range that shows every one of several runs from t = 0 (they are overlaid aligned at t = 0). */
export function unionRange(simulations: Array<Pick<Simulation, 'startTime' | 'stopTime'>>): SimulationRange {
  const ranges = simulations.map(simulationRange);
  if (ranges.length === 0) {
    return DEFAULT_RANGE;
  }
  return { from: Math.min(...ranges.map((r) => r.from)), to: Math.max(...ranges.map((r) => r.to)) };
}

function withSubUrl(path: string): string {
  return `${config.appSubUrl ?? ''}${path}`;
}

export function detailUrl(id: string): string {
  return withSubUrl(`${prefixRoute(ROUTES.Simulations)}/${encodeURIComponent(id)}`);
}

export function compareUrl(ids: string[], variables: string[] = []): string {
  return urlUtil.renderUrl(withSubUrl(prefixRoute(ROUTES.Compare)), { run: ids, variable: variables });
}

/** The overview dashboard for one run, over exactly the run's duration. */
export function overviewUrl(simulation: Simulation, datasourceUid: string): string {
  const range = simulationRange(simulation);
  return urlUtil.renderUrl(withSubUrl(`/d/${OVERVIEW_DASHBOARD_UID}`), {
    'var-datasource': datasourceUid,
    'var-simulation': simulation.id,
    from: range.from,
    to: range.to,
  });
}

/** The "Compare runs" dashboard with the same runs and variables. */
export function compareDashboardUrl(datasourceUid: string, ids: string[], variables: string[], range: SimulationRange): string {
  return urlUtil.renderUrl(withSubUrl(`/d/${COMPARE_DASHBOARD_UID}`), {
    'var-datasource': datasourceUid,
    'var-simulation': ids,
    'var-variable': variables,
    from: range.from,
    to: range.to,
  });
}

/**
 * The "Regression vs reference" dashboard on one run over its duration; the reference is the run's
 * own (from its sidecar) unless one is given. The run filter is cleared so the run is in the list.
 */
export function regressionDashboardUrl(datasourceUid: string, run: Pick<Simulation, 'id' | 'startTime' | 'stopTime'>, referenceId?: string): string {
  const range = simulationRange(run);
  return urlUtil.renderUrl(withSubUrl(`/d/${REGRESSION_DASHBOARD_UID}`), {
    'var-datasource': datasourceUid,
    'var-filter': '',
    'var-run': run.id,
    'var-reference': referenceId ?? '',
    from: range.from,
    to: range.to,
  });
}

/** The app's Regression page. */
export function regressionPageUrl(): string {
  return withSubUrl(prefixRoute(ROUTES.Regression));
}

/** Explore with one SimViz query, in Grafana's `panes` URL format (schemaVersion 1). */
export function exploreUrl(datasourceUid: string, query: Omit<SimVizQuery, 'refId'>, range: SimulationRange): string {
  const pane = {
    datasource: datasourceUid,
    queries: [{ refId: 'A', datasource: { type: DATASOURCE_TYPE, uid: datasourceUid }, ...query }],
    range: { from: String(range.from), to: String(range.to) },
  };
  return urlUtil.renderUrl(withSubUrl('/explore'), { schemaVersion: 1, panes: JSON.stringify({ simviz: pane }) });
}

/** Where Grafana edits a datasource's settings. */
export function datasourceSettingsUrl(uid: string): string {
  return withSubUrl(`/connections/datasources/edit/${encodeURIComponent(uid)}`);
}
