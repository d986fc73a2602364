import { expect, test } from './fixtures';

test('the Simulations page lists every run with its status, and searches on the proxy', async ({ page, harness }) => {
  await page.goto('/a/simviz-simulation-app/simulations');
  await expect(page.getByText('19 simulations')).toBeVisible();
  const table = page.getByRole('table');
  await expect(table.getByRole('link', { name: 'BouncingBall_drop_e0p8_20261101_090000' })).toHaveAttribute(
    'href',
    /\/d\/simviz-simulation-overview\?var-datasource=simviz&var-simulation=[\w-]{22}&from=0&to=6000$/
  );
  // Files that cannot be read are listed with the reason, never hidden.
  await expect(table.getByText(/linearization result \(AlinearSystem/)).toBeVisible();
  await harness.screenshot('app-simulations');

  await page.getByPlaceholder('Search simulations by name or folder').fill('sweep');
  await expect(page.getByText('4 simulations matching “sweep”')).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(5);
});

test('an unknown app path lands on the Simulations page', async ({ page }) => {
  await page.goto('/a/simviz-simulation-app/nothing-here');
  await expect(page).toHaveURL(/\/a\/simviz-simulation-app\/simulations$/);
});

test('the app configuration page tests the datasource it uses', async ({ page }) => {
  await page.goto('/plugins/simviz-simulation-app');
  await expect(page.getByLabel('Datasource uid')).toHaveValue('simviz');
  await page.getByRole('button', { name: 'Test proxy' }).click();
  await expect(page.getByText(/Proxy \d+\.\d+\.\d+ answers with 19 simulations/)).toBeVisible();
});
