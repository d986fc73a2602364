import { expect, requireGrafana, test } from './fixtures';

requireGrafana();

test('an annotation query marks the events of a run', async ({ annotationEditPage, page, readProvisionedDataSource }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'SimViz' });
  await annotationEditPage.datasource.set(datasource.name);
  // New SimViz annotations start as an Events query with run start and stop markers.
  await page.getByRole('combobox', { name: 'Simulations', exact: true }).fill('BouncingBall_drop_e0p8');
  await page.getByRole('option', { name: /^BouncingBall_drop_e0p8/ }).click();
  await expect(annotationEditPage.runQuery()).toBeOK();
});
