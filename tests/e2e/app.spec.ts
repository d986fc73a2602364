import { expect, requireGrafana, test } from './fixtures';

requireGrafana();

test('the Simulations page lists the example results', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: 'simviz-simulation-app', path: '/simulations' });
  await expect(page.getByRole('link', { name: /^BouncingBall_drop_e0p8/ })).toBeVisible();
});
