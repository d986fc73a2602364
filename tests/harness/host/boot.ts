/**
 * What Grafana's index.html defines before any plugin code runs. Imported first: @grafana/runtime
 * builds its `config` from grafanaBootData when the module is evaluated.
 */
declare global {
  interface Window {
    __grafana_public_path__: string;
    __grafana_amd_define?: unknown;
    define?: unknown;
  }
}

(window as unknown as { grafanaBootData: unknown }).grafanaBootData = {
  settings: {
    appSubUrl: '',
    appUrl: `${window.location.origin}/`,
    buildInfo: { version: '12.4.10', env: 'development', edition: 'Open Source' },
    featureToggles: {},
    datasources: {},
    panels: {},
    apps: {},
    bootData: {},
  },
  user: { theme: 'dark', regionalFormat: 'en-US', language: 'en-US', timezone: 'utc', orgRole: 'Admin', isSignedIn: true },
  navTree: [],
  assets: { dark: '', light: '' },
};
window.__grafana_public_path__ = '/public/';

export {};
