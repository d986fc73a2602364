import { defineConfig } from '@playwright/test';

import { HARNESS_PORT, HARNESS_URL } from './tests/harness/constants';

/**
 * Browser tests of the built plugin (dist/) in the harness that loads it the way Grafana does,
 * against a real SimViz proxy. Chromium is Debian's (apt-get install chromium); Playwright's own
 * browser download is never used.
 */
export default defineConfig({
  testDir: './tests/browser',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: true,
  retries: 0,
  outputDir: '.test-results/playwright',
  reporter: [['list'], ['json', { outputFile: '.test-results/playwright.json' }]],
  use: {
    baseURL: HARNESS_URL,
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    screenshot: 'only-on-failure',
    // Recording a trace cost about 4 s per test here (9 s -> 5.5 s without); SIMVIZ_TRACE=1 turns it on.
    trace: process.env.SIMVIZ_TRACE ? 'retain-on-failure' : 'off',
  },
  webServer: {
    // SIMVIZ_HARNESS_PLUGIN_DIR serves another build than dist/ (scripts/harness-breakages.ts).
    command: `npx tsx tests/harness/server.ts --port ${HARNESS_PORT} --plugin-dir ${process.env.SIMVIZ_HARNESS_PLUGIN_DIR ?? 'dist'}`,
    url: `${HARNESS_URL}/api/harness/datasources`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
