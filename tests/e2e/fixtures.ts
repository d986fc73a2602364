import { test as base } from '@grafana/plugin-e2e';

/**
 * These specs need a running Grafana with the built plugin and the provisioning folder mounted
 * (`npm run build && docker compose up`, then GRAFANA_URL=http://localhost:3000 npm run e2e).
 * Without GRAFANA_URL they are skipped: no Grafana server can run on the project's build machine,
 * where the browser harness (tests/browser) covers the same flows.
 */
export const test = base;

/** Call at the top of every spec file: skips the file unless a Grafana is available. */
export function requireGrafana(): void {
  test.skip(!process.env.GRAFANA_URL, 'needs a running Grafana: set GRAFANA_URL (see tests/README.md)');
}

export { expect } from '@grafana/plugin-e2e';
