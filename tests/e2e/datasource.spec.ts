import { expect, requireGrafana, test } from './fixtures';

requireGrafana();

test('the provisioned SimViz datasource connects to the proxy', async ({ readProvisionedDataSource, gotoDataSourceConfigPage }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'SimViz' });
  const configPage = await gotoDataSourceConfigPage(datasource.uid);
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: /Connected to the SimViz proxy/ });
});
