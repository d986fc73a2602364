import { expect, requireGrafana, test } from './fixtures';

requireGrafana();

const APP_ID = 'simviz-simulation-app';

test('the Simulations page lists the example results and opens a run', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: APP_ID, path: '/simulations' });
  await page.getByRole('link', { name: /^BouncingBall_drop_e0p8/ }).click();
  await expect(page.getByLabel('Simulation metadata')).toContainText('BouncingBall');
  await expect(page.getByRole('region', { name: 'Parameters' }).getByText('ball.e')).toBeVisible();
});

test('the detail page plots a variable picked in the tree with Grafana’s time series panel', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: APP_ID, path: '/simulations' });
  await page.getByRole('link', { name: /^BouncingBall_drop_e0p8/ }).click();
  const browser = page.getByLabel('Variable browser');
  await browser.getByRole('button', { name: 'Expand ball' }).click();
  await browser.getByRole('button', { name: 'Add ball.h', exact: true }).click();
  await expect(page.getByTestId('simviz-quick-plot').locator('canvas').first()).toBeVisible();
});

test('the Compare page asks for two runs', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: APP_ID, path: '/compare' });
  await expect(page.getByText('Pick two or more runs to compare them.')).toBeVisible();
});

test('the Upload page explains what the provisioned key may do', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: APP_ID, path: '/upload' });
  await expect(page.getByText(/Drop result files here|may only read|does not accept uploads/).first()).toBeVisible();
});

test('the configuration page shows the health of the datasource', async ({ gotoAppConfigPage, page }) => {
  await gotoAppConfigPage({ pluginId: APP_ID });
  await expect(page.getByText(/answers with \d+ simulations/)).toBeVisible();
});
