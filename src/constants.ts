import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

export enum ROUTES {
  Simulations = 'simulations',
}

/** The uid the provisioning files give the SimViz datasource; the app uses it unless configured otherwise. */
export const DEFAULT_DATASOURCE_UID = 'simviz';

/** Settings the app stores in its jsonData. */
export interface AppSettings {
  datasourceUid?: string;
}

export const OVERVIEW_DASHBOARD_UID = 'simviz-simulation-overview';

export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}
