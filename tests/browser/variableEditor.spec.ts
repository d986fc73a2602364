import { HARNESS_API_KEY } from '../harness/constants';
import { expect, test } from './fixtures';

async function previewValues(page: import('@playwright/test').Page): Promise<string[]> {
  await page.getByTestId('harness-variable-preview').click();
  const options = page.getByTestId('harness-variable-option');
  await expect(options.first()).toBeVisible();
  return options.allTextContents();
}

test('a variable listing simulations, filtered by search', async ({ page, harness }) => {
  await page.goto('/harness-view/variable-editor');
  await page.getByLabel('Search', { exact: true }).fill('sweep');
  expect(await previewValues(page)).toEqual([
    'SpringDamper_sweep_d0p5_20261103_100000',
    'SpringDamper_sweep_d1_20261103_100100',
    'SpringDamper_sweep_d2_20261103_100200',
    'SpringDamper_sweep_d4_20261103_100300',
  ]);
  // Values are ids, so panels query by id while the picker shows names.
  await expect(page.getByTestId('harness-variable-option').first()).toHaveAttribute('data-value', /^[\w-]{22}$/);
  await harness.screenshot('variable-editor');
});

test('a variable listing the values one parameter takes across a sweep', async ({ page }) => {
  await page.goto('/harness-view/variable-editor');
  await page.getByRole('radio', { name: 'Parameter values' }).click();
  await page.getByLabel('Parameter', { exact: true }).fill('damper.d');
  await page.getByLabel('Search', { exact: true }).fill('SpringDamper_sweep');
  expect(await previewValues(page)).toEqual(['0.5', '1', '2', '4']);
});

test('a variable listing the variables of $simulation that match a glob', async ({ page, request }) => {
  const datasources = (await (await request.get('/api/harness/datasources')).json()) as Array<{ jsonData: { proxyUrl: string } }>;
  const base = datasources[0].jsonData.proxyUrl;
  const found = (await (
    await request.get(`${base}/api/v1/simulations?search=SpringDamper_sweep_d1_`, { headers: { authorization: `Bearer ${HARNESS_API_KEY}` } })
  ).json()) as { items: Array<{ id: string }> };
  const id = found.items[0].id;
  const expected = (await (
    await request.get(`${base}/api/v1/simulations/${id}/variables?glob=${encodeURIComponent('mass.*')}&limit=1000`, {
      headers: { authorization: `Bearer ${HARNESS_API_KEY}` },
    })
  ).json()) as { items: Array<{ name: string; kind: string }> };

  await page.goto(`/harness-view/variable-editor?var-simulation=${id}`);
  await page.getByRole('radio', { name: 'Variables' }).click();
  await page.getByLabel('Of simulations', { exact: true }).fill('$simulation');
  await page.getByLabel('Glob', { exact: true }).fill('mass.*');
  const names = await previewValues(page);
  expect(names).toEqual(expected.items.filter((v) => v.kind !== 'time').map((v) => v.name));
  expect(names.length).toBeGreaterThan(1);
});
