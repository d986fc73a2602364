import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Page } from '@playwright/test';

import { expect, listSimulations, pickOption, simulationId, test } from './fixtures';

const APP = '/a/simviz-simulation-app';
const REAL_FIXTURES = process.env.SIMVIZ_FIXTURES ?? path.resolve(__dirname, '../../../shared/fixtures/real');

/** Points the app's pages at another datasource, as an admin does on the configuration page. */
async function useDatasource(page: Page, uid: string): Promise<void> {
  const response = await page.request.post('/api/plugins/simviz-simulation-app/settings', { data: { enabled: true, jsonData: { datasourceUid: uid } } });
  expect(response.ok()).toBe(true);
}

function panelFrames(page: Page) {
  return page.getByTestId('harness-panel').getByTestId('panel-series');
}

test('the Simulations page lists every run with its status, and searches, filters and sorts on the proxy', async ({ page, harness, request }) => {
  await page.goto(`${APP}/simulations`);
  await expect(page.getByText('22 simulations')).toBeVisible();
  const table = page.getByRole('table');
  const id = await simulationId(request, 'BouncingBall_drop_e0p8');
  await expect(table.getByRole('link', { name: 'BouncingBall_drop_e0p8_20261101_090000', exact: true })).toHaveAttribute('href', `${APP}/simulations/${id}`);
  await expect(table.getByRole('link', { name: 'Overview dashboard of BouncingBall_drop_e0p8_20261101_090000' })).toHaveAttribute(
    'href',
    `/d/simviz-simulation-overview?var-datasource=simviz&var-simulation=${id}&from=0&to=6000`
  );
  await expect(table.getByRole('link', { name: 'Explore BouncingBall_drop_e0p8_20261101_090000' })).toHaveAttribute('href', /^\/explore\?schemaVersion=1&panes=/);
  // Files that cannot be read are listed with the reason, never hidden.
  await expect(table.getByText(/linearization result \(AlinearSystem/)).toBeVisible();
  await harness.screenshot('app-simulations');

  await page.getByPlaceholder('Search simulations by name, model, folder or tag').fill('sweep');
  await expect(page.getByText('4 simulations matching “sweep”')).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(5);

  await page.getByPlaceholder('Search simulations by name, model, folder or tag').fill('');
  await page.getByRole('radio', { name: 'Error' }).check({ force: true });
  const failed = (await listSimulations(request, '')).items.filter((s) => s.status === 'error');
  expect(failed.length).toBeGreaterThan(0);
  await expect(page.getByText(`${failed.length} simulation${failed.length === 1 ? '' : 's'}`, { exact: true })).toBeVisible();

  await page.getByRole('radio', { name: 'All' }).check({ force: true });
  await page.getByRole('textbox', { name: /^Folder/ }).fill('examples/sweep');
  await expect(page.getByText('4 simulations', { exact: true })).toBeVisible();
  await table.getByRole('columnheader', { name: 'Name' }).click();
  await table.getByRole('columnheader', { name: 'Name' }).click();
  await expect(table.getByRole('row').nth(1)).toContainText('SpringDamper_sweep_d4');
});

test('an unknown app path lands on the Simulations page', async ({ page }) => {
  await page.goto(`${APP}/nothing-here`);
  await expect(page).toHaveURL(/\/a\/simviz-simulation-app\/simulations$/);
});

test('a run’s detail page shows its metadata and parameters, browses its variables and plots the chosen ones', async ({ page, harness, request }) => {
  const id = await simulationId(request, 'BouncingBall_drop_e0p8');
  await page.goto(`${APP}/simulations/${id}`);
  const metadata = page.getByLabel('Simulation metadata');
  await expect(metadata).toContainText('BouncingBall');
  await expect(metadata).toContainText('examples/mechanics/BouncingBall_drop_e0p8_20261101_090000.mat');

  const parameters = page.getByRole('region', { name: 'Parameters' });
  await parameters.getByPlaceholder('Search parameters by name or description').fill('restitution');
  await expect(parameters.getByRole('row')).toHaveCount(2);
  await expect(parameters.getByRole('row').nth(1)).toContainText('ball.e');
  await expect(parameters.getByRole('row').nth(1)).toContainText('0.8');

  const browser = page.getByLabel('Variable browser');
  await browser.getByRole('button', { name: 'Expand ball' }).click();
  await browser.getByRole('button', { name: 'Add ball.h', exact: true }).click();
  await expect(panelFrames(page)).toHaveCount(1);
  await expect(panelFrames(page).first()).toHaveAttribute('data-name', 'ball.h');
  await expect(panelFrames(page).first()).toHaveAttribute('data-unit', 'lengthm');
  const explore = await page.getByRole('link', { name: 'Open in Explore' }).getAttribute('href');
  const panes = JSON.parse(new URL(explore!, 'http://x').searchParams.get('panes')!) as Record<string, { queries: Array<{ simulations: string[]; variables: string[] }> }>;
  expect(Object.values(panes)[0].queries[0]).toMatchObject({ simulations: [id], variables: ['ball.h'] });
  await harness.screenshot('app-simulation-detail');
});

test('the Compare page lists the parameters that differ and overlays variables of two runs', async ({ page, harness, request }) => {
  const [a, b] = [await simulationId(request, 'SpringDamper_sweep_d0p5'), await simulationId(request, 'SpringDamper_sweep_d4')];
  await page.goto(`${APP}/compare?run=${a}`);
  await expect(page.getByText('Pick two or more runs to compare them.')).toBeVisible();
  await pickOption(page, 'Simulations', 'SpringDamper_sweep_d4', 'SpringDamper_sweep_d4_20261103_100300');

  const diff = page.getByRole('region', { name: 'Parameters' }).getByTestId('panel-table');
  await expect(diff).toHaveAttribute('data-name', 'Parameters that differ');
  await expect(diff.getByRole('row')).toHaveCount(2);
  await expect(diff.getByRole('row').nth(1)).toContainText('damper.d');

  await pickOption(page, 'Variables', 'mass.s', 'mass.s');
  await expect(panelFrames(page)).toHaveCount(2);
  await expect(panelFrames(page).nth(0)).toHaveAttribute('data-name', /SpringDamper_sweep_d0p5\S* mass\.s/);
  await expect(panelFrames(page).nth(1)).toHaveAttribute('data-name', /SpringDamper_sweep_d4\S* mass\.s/);
  await expect(page).toHaveURL(new RegExp(`run=${a}&run=${b}&variable=mass.s`));
  await expect(page.getByRole('link', { name: 'Open the Compare runs dashboard' })).toHaveAttribute(
    'href',
    new RegExp(`^/d/simviz-compare-runs\\?var-datasource=simviz&var-simulation=${a}&var-simulation=${b}&var-variable=mass.s&from=0&to=\\d+$`)
  );
  await harness.screenshot('app-compare');
});

test.describe('uploads', () => {
  // The refused files answer 422 and 409: expected, and shown on the page.
  test.use({ allowedFailures: [/\/api\/datasources\/uid\/simviz-uploads\/resources\/api\/v1\/simulations$/] });

  test('the Upload page sends files with progress and shows the proxy’s verdict for each', async ({ page, harness }) => {
    await useDatasource(page, 'simviz-uploads');
    await page.goto(`${APP}/upload`);
    const scratch = mkdtempSync(path.join(tmpdir(), 'simviz-upload-spec-'));
    const notAResult = path.join(scratch, 'notes.mat');
    writeFileSync(notAResult, 'these are meeting notes, not a result file\n'.repeat(20));
    await page.getByRole('textbox', { name: /^Folder/ }).fill('spec');
    await page.locator('#simviz-upload-files input[type=file], input[type=file]').first().setInputFiles([path.join(REAL_FIXTURES, 'om119_bouncingball.mat'), notAResult]);

    const good = page.getByRole('listitem', { name: 'om119_bouncingball.mat' });
    await expect(good).toHaveAttribute('data-phase', 'done');
    await expect(good.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    await expect(good).toContainText('Stored as uploads/spec/om119_bouncingball.mat');
    const bad = page.getByRole('listitem', { name: 'notes.mat' });
    await expect(bad).toHaveAttribute('data-phase', 'failed');
    await expect(bad).toContainText('notes.mat');
    await harness.screenshot('app-upload');

    // The same name again: the stored file is never replaced.
    await page.locator('input[type=file]').first().setInputFiles(path.join(REAL_FIXTURES, 'om119_bouncingball.mat'));
    const again = page.getByRole('listitem', { name: 'om119_bouncingball.mat' }).nth(1);
    await expect(again).toHaveAttribute('data-phase', 'failed');
    await expect(again).toContainText('already exists');
  });
});

test('the Upload page says why it cannot upload: a read-only key, or a proxy without an upload folder', async ({ page, harness }) => {
  await useDatasource(page, 'simviz-uploads-read-only');
  await page.goto(`${APP}/upload`);
  await expect(page.getByText('The API key of this datasource may only read')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Datasource settings' })).toHaveAttribute('href', '/connections/datasources/edit/simviz-uploads-read-only');
  await expect(page.locator('input[type=file]')).toHaveCount(0);
  await harness.screenshot('app-upload-read-only');

  await useDatasource(page, 'simviz');
  await page.goto(`${APP}/upload`);
  await expect(page.getByText('This SimViz proxy does not accept uploads')).toBeVisible();
  await expect(page.locator('input[type=file]')).toHaveCount(0);
});

test('the app configuration page picks the datasource and shows its health', async ({ page, harness }) => {
  await page.goto('/plugins/simviz-simulation-app');
  await expect(page.getByText(/Proxy \d+\.\d+\.\d+ answers with 22 simulations/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Datasource settings' })).toHaveAttribute('href', '/connections/datasources/edit/simviz');
  await harness.screenshot('app-config');
});
