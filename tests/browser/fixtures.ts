import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import path from 'node:path';

import type { SimulationPage } from '../../src/shared/api';
import { SERIES_MEDIA_TYPE } from '../../src/shared/seriesWire';
import { HARNESS_API_KEY, HARNESS_WRITE_KEY } from '../harness/constants';

export const SCREENSHOT_DIR = path.resolve(__dirname, '../../.test-results/screenshots');

interface HarnessFixtures {
  /** Response URLs (regexes) a test expects to fail, e.g. while testing a wrong API key. */
  allowedFailures: RegExp[];
  harness: Harness;
}

/** Problems the page ran into: any of them fails the test. */
class Harness {
  readonly problems: string[] = [];
  readonly bodies: string[] = [];

  constructor(readonly page: Page) {}

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  }
}

export const test = base.extend<HarnessFixtures>({
  allowedFailures: [[], { option: true }],
  // Automatic: every test gets these checks (and a reset harness), whether it asks for the fixture or not.
  harness: [
    async ({ page, allowedFailures, request }, use) => {
      await request.post('/api/harness/reset');
      const harness = new Harness(page);
      page.on('pageerror', (error) => harness.problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          harness.problems.push(`console error: ${message.text()}`);
        }
      });
      page.on('requestfailed', (req) => {
        // Requests cancelled on purpose (Grafana's requestId cancellation) are not failures.
        if (req.failure()?.errorText !== 'net::ERR_ABORTED') {
          harness.problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
        }
      });
      page.on('request', (req) => {
        // Nor may the page ever hold it to send: the key is added behind the datasource route.
        if (
          Object.values(req.headers()).some(
            (value) => value.includes(HARNESS_API_KEY) || value.includes(HARNESS_WRITE_KEY)
          ) ||
          req.url().includes(HARNESS_API_KEY)
        ) {
          harness.problems.push(`the page sent an API key: ${req.method()} ${req.url()}`);
        }
      });
      page.on('response', async (response) => {
        if (response.status() >= 400 && !allowedFailures.some((pattern) => pattern.test(response.url()))) {
          harness.problems.push(`HTTP ${response.status()} ${response.url()}`);
        }
        const type = response.headers()['content-type'] ?? '';
        // Binary series answers too: their head is JSON text, and a key must not be in it either.
        if (/json|text/.test(type) || type.startsWith(SERIES_MEDIA_TYPE)) {
          harness.bodies.push(await response.text().catch(() => ''));
        }
      });
      await use(harness);
      expect(harness.problems, 'the page ran into problems').toEqual([]);
      // The datasource route adds the key on the server; no response to the browser may carry it.
      expect(
        harness.bodies.filter((body) => body.includes(HARNESS_API_KEY) || body.includes(HARNESS_WRITE_KEY))
      ).toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens a Combobox by its label, types a search and picks the option whose title is `option` (descriptions follow it). */
export async function pickOption(page: Page, label: string, search: string, option: string): Promise<void> {
  const box = page.getByRole('combobox', { name: label, exact: true });
  await box.click();
  await box.fill(search);
  await page.getByRole('option', { name: new RegExp(`^${escapeRegExp(option)}(\\s|$)`) }).click();
  // A multi-select keeps its menu open for further picks, over the fields below it: close it as a user would.
  if ((await box.getAttribute('aria-expanded')) === 'true') {
    await box.press('Escape');
  }
}

/** The URL of the proxy behind the `simviz` datasource, to ask it directly. */
export async function proxyUrl(request: APIRequestContext): Promise<string> {
  const list = (await (await request.get('/api/harness/datasources')).json()) as Array<{
    uid: string;
    jsonData: { proxyUrl: string };
  }>;
  return list.find((ds) => ds.uid === 'simviz')!.jsonData.proxyUrl;
}

/** What the proxy itself lists for a search, bypassing the plugin, Grafana's data proxy and the browser. */
export async function listSimulations(request: APIRequestContext, search: string): Promise<SimulationPage> {
  const base = await proxyUrl(request);
  const response = await request.get(`${base}/api/v1/simulations?search=${encodeURIComponent(search)}`, {
    headers: { authorization: `Bearer ${HARNESS_API_KEY}` },
  });
  return (await response.json()) as SimulationPage;
}

export async function simulationId(request: APIRequestContext, name: string): Promise<string> {
  return (await listSimulations(request, name)).items[0].id;
}
