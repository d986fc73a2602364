import { expect, requireGrafana, test } from './fixtures';

requireGrafana();

/** The provisioned dashboards open on their own default choices and fill their panels from the proxy. */
test('Proxy operations shows the proxy’s status and simulations by status', async ({ gotoDashboardPage }) => {
  const dashboard = await gotoDashboardPage({ uid: 'simviz-proxy-operations' });
  await expect(dashboard.getPanelByTitle('Simulations by status').fieldNames).toContainText(['ok']);
  await expect(dashboard.getPanelByTitle('Version').data).not.toHaveCount(0);
});

test('Simulation overview lists the chosen run’s parameters', async ({ gotoDashboardPage }) => {
  const dashboard = await gotoDashboardPage({ uid: 'simviz-simulation-overview' });
  await expect(dashboard.getPanelByTitle('Parameters').fieldNames).toContainText(['Parameter', 'Value']);
});

test('Compare runs lists per-run statistics', async ({ gotoDashboardPage }) => {
  const dashboard = await gotoDashboardPage({ uid: 'simviz-compare-runs' });
  await expect(dashboard.getPanelByTitle('Per-run statistics (whole run)').data).not.toHaveCount(0);
});

test('Regression vs reference shows the result per variable of the first nightly run', async ({ gotoDashboardPage }) => {
  const dashboard = await gotoDashboardPage({ uid: 'simviz-regression' });
  await expect(dashboard.getPanelByTitle('Result per variable').fieldNames).toContainText(['Variable', 'Result', 'Worst / tube']);
});
