import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** The app's routes, relative to its base URL; the pages in the nav are also listed in plugin.json. */
export enum ROUTES {
  Simulations = 'simulations',
  Simulation = 'simulations/:id',
  Compare = 'compare',
  Upload = 'upload',
  Regression = 'regression',
}

/** The uid the provisioning files give the SimViz datasource; the app uses it unless configured otherwise. */
export const DEFAULT_DATASOURCE_UID = 'simviz';
export const DATASOURCE_TYPE = 'simviz-simulation-datasource';

/** Settings the app stores in its jsonData. */
export interface AppSettings {
  datasourceUid?: string;
}

/** Uids of the dashboards the app ships (src/dashboards); links from the pages open them. */
export const OVERVIEW_DASHBOARD_UID = 'simviz-simulation-overview';
export const COMPARE_DASHBOARD_UID = 'simviz-compare-runs';
export const REGRESSION_DASHBOARD_UID = 'simviz-regression';

export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}
