import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

export interface SimVizQuery extends DataQuery {
  /** Simulation ids, as listed by the proxy. */
  simulations: string[];
  /** Variable names as stored in the result files. */
  variables: string[];
}

export const DEFAULT_QUERY: Partial<SimVizQuery> = {
  simulations: [],
  variables: [],
};

/** Settings stored in the datasource's jsonData (visible to every user). */
export interface SimVizOptions extends DataSourceJsonData {
  /** Where Grafana's server reaches the SimViz proxy, e.g. http://simviz-proxy:9800 */
  proxyUrl?: string;
}

/** Settings stored encrypted; the browser only learns whether they are set. */
export interface SimVizSecureJsonData {
  apiKey?: string;
}

/** The data-proxy route in plugin.json that forwards to the proxy URL with the API key. */
export const PROXY_ROUTE = 'simviz';

/** Simulation time t seconds is shown at t·1000 ms after the epoch, so runs overlay aligned at t = 0. */
export const MS_PER_SIMULATION_SECOND = 1000;

export interface SimVizVariableQuery extends DataQuery {
  /** What the template variable lists. */
  kind: 'simulations' | 'variables';
  /** Text search on the proxy (names, paths; for variables also descriptions). */
  search?: string;
  /** For `variables`: the simulation(s) whose variables to list; may be `$simulation`. */
  simulations?: string[];
}

export const DEFAULT_VARIABLE_QUERY: SimVizVariableQuery = { refId: 'SimVizVariable', kind: 'simulations' };
