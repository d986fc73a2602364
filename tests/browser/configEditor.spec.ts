import { expect, test } from './fixtures';

test.describe('datasource settings', () => {
  test('Save & test reports the proxy version and simulation count', async ({ page, harness }) => {
    await page.goto('/harness-view/datasource-config');
    await expect(page.getByLabel('Proxy URL')).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The key is stored on the server: the editor only knows that one is configured.
    await expect(page.getByRole('button', { name: 'Reset' })).toBeVisible();
    await page.getByTestId('harness-save-and-test').click();
    const result = page.getByTestId('harness-test-result');
    await expect(result).toHaveAttribute('data-status', 'success');
    await expect(result).toContainText(/Connected to the SimViz proxy \d+\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+: 19 simulations/);
    await harness.screenshot('datasource-config');
  });

  test.describe('with a wrong key', () => {
    test.use({ allowedFailures: [/\/api\/datasources\/proxy\//] });

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
    test.use({ allowedFailures: [/\/api\/datasources\/proxy\//] });

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
    test.use({ allowedFailures: [/\/api\/datasources\/proxy\//] });

    test('says so', async ({ page, baseURL }) => {
      await page.goto('/harness-view/datasource-config');
      // The harness itself answers JSON, but not the SimViz contract.
      await page.getByLabel('Proxy URL').fill(`${baseURL}/api/harness`);
      await page.getByTestId('harness-save-and-test').click();
      await expect(page.getByTestId('harness-test-result')).toContainText('does not answer like a SimViz proxy');
    });
  });
});
