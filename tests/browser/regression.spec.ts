import { readFileSync } from 'node:fs';

import type { Page } from '@playwright/test';

import { expect, simulationId, test } from './fixtures';

const APP = '/a/simviz-simulation-app';

/** Points the app's pages at another datasource, as an admin does on the configuration page. */
async function useDatasource(page: Page, uid: string): Promise<void> {
  const response = await page.request.post('/api/plugins/simviz-simulation-app/settings', { data: { enabled: true, jsonData: { datasourceUid: uid } } });
  expect(response.ok()).toBe(true);
}

test('the Regression page reports a folder’s runs against their references, sorts, expands and exports', async ({ page, harness, request }) => {
  await page.goto(`${APP}/regression`);
  await page.getByRole('textbox', { name: /^Folder/ }).fill('examples/regression');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.getByTestId('simviz-regression-summary')).toHaveText('1 passed · 1 failed · 0 could not be compared · 1 of 3 selected runs name no reference');
  const table = page.getByRole('table').first();
  // Worst first: the drifted run leaves the tube, the reproduced one does not.
  await expect(table.getByRole('row').nth(1)).toContainText('RLCCircuit_step_drifted_20261105_020000');
  await expect(table.getByRole('row').nth(1)).toContainText('fail');
  await expect(table.getByRole('row').nth(2)).toContainText('pass');
  const drifted = await simulationId(request, 'RLCCircuit drifted');
  await expect(table.getByRole('link', { name: 'Regression dashboard of RLCCircuit_step_drifted_20261105_020000' })).toHaveAttribute(
    'href',
    new RegExp(`^/d/simviz-regression\\?var-datasource=simviz&var-filter=&var-run=${drifted}&var-reference=[^&]+&from=0&to=\\d+$`)
  );
  await table.getByRole('columnheader', { name: 'Run' }).click();
  await expect(table.getByRole('row').nth(1)).toContainText('RLCCircuit_step_drifted_20261105_020000');
  await table.getByRole('columnheader', { name: 'Run' }).click();
  await expect(table.getByRole('row').nth(1)).toContainText('RLCCircuit_step_nightly_20261104_020000');
  // The worst deviation sorts worst first on its first click, then the other way.
  const worst = table.getByRole('columnheader', { name: 'Worst deviation' });
  await worst.click();
  await expect(table.getByRole('row').nth(1)).toContainText('RLCCircuit_step_drifted_20261105_020000');
  await expect(table.getByRole('row').nth(1)).toContainText('35.4×');
  await worst.click();
  await expect(table.getByRole('row').nth(1)).toContainText('RLCCircuit_step_nightly_20261104_020000');
  // Every column fits the page, the dashboard link at the end of the row included.
  await expect(table.getByRole('link', { name: 'Regression dashboard of RLCCircuit_step_drifted_20261105_020000' })).toBeInViewport({ ratio: 1 });
  // Back to the failing run on top (by name) for the screenshot, expanded into its variables.
  await table.getByRole('columnheader', { name: 'Run' }).click();
  await expect(table.getByRole('row').nth(1)).toContainText('RLCCircuit_step_drifted_20261105_020000');
  await page.getByRole('button', { name: 'Toggle row expanded' }).nth(0).click();
  await expect(page.getByText('Where it leaves the tube')).toBeVisible();
  await harness.screenshot('app-regression');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(csv.suggestedFilename()).toBe('simviz-regression.csv');
  const text = readFileSync((await csv.path())!, 'utf8');
  expect(text).toMatch(/^run,reference,variable,status/);
  expect(text).toContain('RLCCircuit_step_drifted_20261105_020000,RLCCircuit_step_reference_20261101_000000,capacitor.v,fail');
  const [junit] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JUnit XML' }).click()]);
  expect(readFileSync((await junit.path())!, 'utf8')).toContain('<testsuite name="SimViz regression: folder examples/regression"');
});

test('a run’s page sets it as the reference for other runs, where the key may write', async ({ page, request }) => {
  await useDatasource(page, 'simviz-folder');
  try {
    const reference = await simulationId(request, 'BouncingBall_drop_e0p8');
    await page.goto(`${APP}/simulations/${reference}`);
    await page.getByRole('button', { name: 'Set as reference for…' }).click();
    const dialog = page.getByRole('dialog');
    const runs = dialog.getByRole('combobox', { name: 'Runs', exact: true });
    await runs.click();
    await runs.fill('BouncingBall_drop_e0p5');
    await page.getByRole('option', { name: /^BouncingBall_drop_e0p5_20261101_093000(\s|$)/ }).click();
    // Escape would close the dialog too: a click on its text closes the menu instead.
    await dialog.getByText('The runs chosen get this run as the reference').click();
    await dialog.getByRole('button', { name: 'Set reference' }).click();
    await expect(page.getByTestId('simviz-reference-outcomes')).toHaveText('BouncingBall_drop_e0p5_20261101_093000: reference set');
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    // The other run now names this one, and compares with it.
    const other = await simulationId(request, 'BouncingBall_drop_e0p5');
    await page.goto(`${APP}/simulations/${other}`);
    await expect(page.getByRole('link', { name: 'open the reference run' })).toHaveAttribute('href', `${APP}/simulations/${reference}`);
    await page.getByRole('button', { name: 'Remove reference' }).click();
    await expect(page.getByRole('link', { name: 'Compare with reference' })).toHaveCount(0);
  } finally {
    await useDatasource(page, 'simviz');
  }
});
