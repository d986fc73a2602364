import type { APIRequestContext } from '@playwright/test';

import { expect, test } from './fixtures';

/** Save & test asks the backend's health check; it answers 400 when the check fails, as Grafana does. */
const HEALTH_FAILED = /\/api\/datasources\/uid\/[^/]+\/health$/;

/** The example folder the folder-mode datasource reads (as saved: `examples=/path`), and its path alone. */
async function examplesFolder(request: APIRequestContext): Promise<{ setting: string; path: string }> {
  const list = (await (await request.get('/api/harness/datasources')).json()) as Array<{ uid: string; jsonData: { folder?: string } }>;
  const setting = list.find((ds) => ds.uid === 'simviz-folder')!.jsonData.folder!;
  return { setting, path: setting.replace(/^[^=/]+=/, '') };
}

test.describe('datasource settings', () => {
  test('Save & test reports the proxy version and simulation count', async ({ page, harness }) => {
    await page.goto('/harness-view/datasource-config');
    await expect(page.getByRole('radio', { name: 'SimViz proxy' })).toBeChecked();
    await expect(page.getByLabel('Proxy URL')).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The key is stored on the server: the editor only knows that one is configured.
    await expect(page.getByRole('button', { name: 'Reset' })).toBeVisible();
    await page.getByTestId('harness-save-and-test').click();
    const result = page.getByTestId('harness-test-result');
    await expect(result).toHaveAttribute('data-status', 'success');
    await expect(result).toContainText(/Connected to the SimViz proxy \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+: 22 simulations/);
    await harness.screenshot('datasource-config');
  });

  test.describe('with a wrong key', () => {
    test.use({ allowedFailures: [HEALTH_FAILED] });

    test('says the key was rejected', async ({ page }) => {
      await page.goto('/harness-view/datasource-config');
      await page.getByRole('button', { name: 'Reset' }).click();
      await page.getByPlaceholder('API key').fill('not-the-key');
      await page.getByTestId('harness-save-and-test').click();
      const result = page.getByTestId('harness-test-result');
      await expect(result).toHaveAttribute('data-status', 'error');
      await expect(result).toContainText('The SimViz proxy rejected the API key');
    });
  });

  test.describe('with an unreachable proxy', () => {
    test.use({ allowedFailures: [HEALTH_FAILED] });

    test('names the URL it tried', async ({ page }) => {
      await page.goto('/harness-view/datasource-config');
      await page.getByLabel('Proxy URL').fill('http://127.0.0.1:9');
      await page.getByTestId('harness-save-and-test').click();
      const result = page.getByTestId('harness-test-result');
      await expect(result).toHaveAttribute('data-status', 'error');
      await expect(result).toContainText('Cannot reach the SimViz proxy at http://127.0.0.1:9');
    });
  });

  test.describe('pointed at something that is not a SimViz proxy', () => {
    test.use({ allowedFailures: [HEALTH_FAILED] });

    test('says so', async ({ page, baseURL }) => {
      await page.goto('/harness-view/datasource-config');
      // The harness itself answers JSON, but not the SimViz contract.
      await page.getByLabel('Proxy URL').fill(`${baseURL}/api/harness`);
      await page.getByTestId('harness-save-and-test').click();
      await expect(page.getByTestId('harness-test-result')).toContainText('does not answer like a SimViz proxy');
    });
  });

  test('in folder mode, Save & test reports the folder on the Grafana server and its simulation count', async ({ page, request, harness }) => {
    const folder = await examplesFolder(request);
    await page.goto('/harness-view/datasource-config?uid=simviz-folder');
    await expect(page.getByRole('radio', { name: 'Folder on the Grafana server' })).toBeChecked();
    await expect(page.getByRole('textbox', { name: /^Folder/ })).toHaveValue(folder.setting);
    await expect(page.getByLabel('Proxy URL')).toHaveCount(0);
    await page.getByTestId('harness-save-and-test').click();
    const result = page.getByTestId('harness-test-result');
    await expect(result).toHaveAttribute('data-status', 'success');
    await expect(result).toContainText(new RegExp(`reads the folder ${folder.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on the Grafana server: \\d+ simulations`));
    await harness.screenshot('datasource-config-folder');
  });

  test.describe('with a folder that does not exist', () => {
    test.use({ allowedFailures: [HEALTH_FAILED] });

    test('says so, naming it', async ({ page }) => {
      await page.goto('/harness-view/datasource-config?uid=simviz-folder');
      await page.getByRole('textbox', { name: /^Folder/ }).fill('/no/such/simviz/results');
      await page.getByTestId('harness-save-and-test').click();
      const result = page.getByTestId('harness-test-result');
      await expect(result).toHaveAttribute('data-status', 'error');
      await expect(result).toContainText('The folder /no/such/simviz/results does not exist on the Grafana server');
    });
  });

  test('switching a proxy datasource to folder mode shows the folder settings, saves the mode and tests the folder', async ({ page, request }) => {
    const folder = await examplesFolder(request);
    await page.goto('/harness-view/datasource-config');
    await page.getByRole('radio', { name: 'Folder on the Grafana server' }).click();
    await expect(page.getByLabel('Proxy URL')).toHaveCount(0);
    await expect(page.getByPlaceholder('API key')).toHaveCount(0);
    await expect(page.getByText(/under the system's temporary folder/)).toBeVisible();
    await page.getByRole('textbox', { name: /^Folder/ }).fill(folder.setting);
    await page.getByTestId('harness-save-and-test').click();
    const result = page.getByTestId('harness-test-result');
    await expect(result).toHaveAttribute('data-status', 'success');
    await expect(result).toContainText('on the Grafana server');
    const saved = (await (await request.get('/api/datasources/uid/simviz')).json()) as { jsonData: Record<string, unknown> };
    expect(saved.jsonData).toMatchObject({ mode: 'folder', folder: folder.setting });

    // And back: the proxy settings are still there.
    await page.getByRole('radio', { name: 'SimViz proxy' }).click();
    await expect(page.getByLabel('Proxy URL')).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+$/);
    await page.getByTestId('harness-save-and-test').click();
    await expect(result).toContainText(/Connected to the SimViz proxy \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+: 22 simulations/);
  });
});
