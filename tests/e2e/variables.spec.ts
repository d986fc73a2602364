import { expect, requireGrafana, test } from './fixtures';

requireGrafana();

test('a query variable lists the simulations of the provisioned datasource', async ({ variableEditPage, page, readProvisionedDataSource }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'datasources.yml' });
  await variableEditPage.setVariableType('Query');
  await variableEditPage.datasource.set(datasource.name);
  // The SimViz variable editor starts on "Simulations"; narrow it to the example sweep.
  await page.locator('#simviz-variable-query-search').fill('SpringDamper_sweep');
  await variableEditPage.runQuery();
  await expect(variableEditPage).toDisplayPreviews([/SpringDamper_sweep_d0p5/, /SpringDamper_sweep_d4/]);
});
