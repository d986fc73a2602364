import { expect, requireGrafana, test } from './fixtures';

requireGrafana();

test('a panel plots a variable picked in the query editor', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'SimViz' });
  await panelEditPage.datasource.set(datasource.name);
  const row = panelEditPage.getQueryEditorRow('A');
  await row.getByRole('combobox', { name: 'Simulations', exact: true }).fill('BouncingBall_drop_e0p8');
  await page.getByRole('option', { name: /^BouncingBall_drop_e0p8/ }).click();
  await row.getByRole('combobox', { name: 'Variables', exact: true }).fill('ball.h');
  await page.getByRole('option', { name: /^ball\.h(\s|$)/ }).click();
  await panelEditPage.setVisualization('Table');
  await expect(panelEditPage.refreshPanel()).toBeOK();
  await expect(panelEditPage.panel.fieldNames).toContainText(['Time']);
});
