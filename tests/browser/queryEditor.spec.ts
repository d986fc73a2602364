import type { APIRequestContext } from '@playwright/test';

import type { Page } from '@playwright/test';

import type { QueryResponse, Series } from '../../src/shared/api';
import { HARNESS_API_KEY } from '../harness/constants';
import { expect, pickOption, proxyUrl, simulationId, test } from './fixtures';

interface FrameSummary {
  name: string;
  unit: string | undefined;
  time: number[];
  values: Array<number | null>;
}

/** Equal to within a microsecond: times travel as int64 nanoseconds, shown as milliseconds plus `nanos`. */
function expectSameTimes(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((t, i) => expect(Math.abs(t - expected[i])).toBeLessThanOrEqual(1e-3));
}

/** The next answer of Grafana's query API: the frames come as JSON from the backend, whatever the proxy sent it. */
function nextQueryAnswer(page: Page) {
  return page.waitForResponse((response) => new URL(response.url()).pathname === '/api/ds/query');
}

/** What the proxy itself answers, bypassing the plugin, Grafana's data proxy and the browser. */
async function proxyQuery(request: APIRequestContext, body: object): Promise<Series[]> {
  const base = await proxyUrl(request);
  const headers = { authorization: `Bearer ${HARNESS_API_KEY}` };
  const response = await request.post(`${base}/api/v1/query`, { data: body, headers });
  return ((await response.json()) as QueryResponse).series as Series[];
}

test('pick a simulation and variables, then see the right values and units', async ({ page, harness, request }) => {
  await page.goto('/harness-view/query-editor?from=0&to=6000&maxDataPoints=1000');
  await expect(page.getByRole('combobox', { name: 'Variables', exact: true })).toBeDisabled();

  await pickOption(page, 'Simulations', 'BouncingBall_drop_e0p8', 'BouncingBall_drop_e0p8_20261101_090000');
  await pickOption(page, 'Variables', 'ball.h', 'ball.h');
  await pickOption(page, 'Variables', 'ball.v', 'ball.v');

  const frames = page.getByTestId('harness-frame');
  await expect(frames).toHaveCount(2);
  await expect(frames.nth(0)).toHaveAttribute('data-name', 'BouncingBall_drop_e0p8_20261101_090000 ball.h');
  await expect(frames.nth(0)).toHaveAttribute('data-unit', 'lengthm');
  await expect(frames.nth(1)).toHaveAttribute('data-unit', 'velocityms');

  const shown = await page.evaluate(() =>
    (window.__harnessLastResponse?.data ?? []).map(
      (frame: { name?: string; fields: Array<{ type: string; values: unknown[]; nanos?: number[]; config: { unit?: string } }> }) => ({
        name: frame.name ?? '',
        unit: frame.fields[1].config.unit,
        // Whole milliseconds plus the nanoseconds beyond them, as Grafana's frame JSON carries time.
        time: (frame.fields[0].values as number[]).map((ms, i) => ms + (frame.fields[0].nanos?.[i] ?? 0) / 1e6),
        values: frame.fields[1].values as Array<number | null>,
      })
    )
  );
  const id = await simulationId(request, 'BouncingBall_drop_e0p8');
  const expected = await proxyQuery(request, { simulations: [id], variables: ['ball.h', 'ball.v'], from: 0, to: 6, maxDataPoints: 1000 });
  expect(shown.map((f: FrameSummary) => f.name)).toEqual(expected.map((s) => `${s.simulationName} ${s.variable}`));
  shown.forEach((frame: FrameSummary, i: number) => {
    expectSameTimes(frame.time, expected[i].time.map((t) => t * 1000));
    expect(frame.values).toEqual(expected[i].values);
  });
  // The ball starts at rest at its initial height and falls: a physical trajectory, not noise.
  expect(shown[0].values[0]).toBeGreaterThan(0);
  expect(Math.min(...(shown[1].values as number[]))).toBeLessThan(0);
  await harness.screenshot('query-editor');
});

test('the query is sent with the dashboard range and maxDataPoints, and large results are downsampled', async ({ page }) => {
  await page.goto('/harness-view/query-editor?from=0&to=259200000&maxDataPoints=200');
  await pickOption(page, 'Simulations', 'TwoZoneBuilding', 'TwoZoneBuilding_winter_thermostat_20261102_080000');
  const answered = nextQueryAnswer(page);
  await pickOption(page, 'Variables', 'zone1.T', 'zone1.T');
  // The query goes to Grafana, which asks the backend: the browser never calls the proxy's query route.
  const answer = await answered;
  expect(answer.status()).toBe(200);
  expect(answer.headers()['content-type']).toMatch(/^application\/json/);
  const sent = answer.request().postDataJSON() as { queries: Array<{ maxDataPoints: number; datasource: { uid: string } }>; from: string; to: string };
  expect(sent).toMatchObject({ from: '0', to: '259200000', queries: [{ maxDataPoints: 200, datasource: { uid: 'simviz' } }] });
  const frame = page.getByTestId('harness-frame');
  await expect(frame).toHaveAttribute('data-unit', 'kelvin');
  const points = Number(await frame.getAttribute('data-points'));
  expect(points).toBeGreaterThan(50);
  expect(points).toBeLessThanOrEqual(200);
  const notice = await page.evaluate(() => window.__harnessLastResponse?.data[0].meta?.notices?.[0]?.text);
  expect(notice).toMatch(/of 975 points shown/);
});

test('a template variable with several values expands into one series per simulation', async ({ page, request }) => {
  const [a, b] = [await simulationId(request, 'SpringDamper_sweep_d0p5'), await simulationId(request, 'SpringDamper_sweep_d4')];
  // A saved panel query keeps `$run`; it is interpolated at query time with the variable's values.
  const saved = JSON.stringify({ refId: 'A', simulations: ['$run'], variables: ['mass.s'] });
  await page.goto(`/harness-view/query-editor?from=0&to=10000&var-run=${a}&var-run=${b}&query=${encodeURIComponent(saved)}`);
  await page.getByTestId('harness-run-query').click();
  const frames = page.getByTestId('harness-frame');
  await expect(frames).toHaveCount(2);
  await expect(frames.nth(0)).toHaveAttribute('data-name', 'SpringDamper_sweep_d0p5_20261103_100000 mass.s');
  await expect(frames.nth(1)).toHaveAttribute('data-name', 'SpringDamper_sweep_d4_20261103_100300 mass.s');
});

test('compare runs: several simulations, a glob with its live match count, a legend template and display units', async ({ page, harness }) => {
  await page.goto('/harness-view/query-editor?from=0&to=10000&maxDataPoints=500');
  await pickOption(page, 'Simulations', 'SpringDamper_sweep_d0p5', 'SpringDamper_sweep_d0p5_20261103_100000');
  await pickOption(page, 'Simulations', 'SpringDamper_sweep_d4', 'SpringDamper_sweep_d4_20261103_100300');

  const variables = page.getByRole('combobox', { name: 'Variables', exact: true });
  await variables.click();
  await variables.fill('mass.*');
  // What was typed is offered as a custom value on top of the matching variables.
  await page.getByRole('option', { name: /^mass\.\*/ }).first().click();
  await variables.press('Escape');
  const count = page.getByTestId('simviz-glob-count');
  await expect(count).toHaveText(/^mass\.\* matches \d+ variables$/);
  const matches = Number((await count.textContent())!.match(/matches (\d+)/)![1]);
  expect(matches).toBeGreaterThan(1);

  const legend = page.getByLabel('Legend');
  await legend.fill('{{variable}} of {{condition}} [{{unit}}]');
  await legend.press('Enter');
  const frames = page.getByTestId('harness-frame');
  await expect(frames).toHaveCount(matches * 2);
  // Each match is named by the variable it matched, not by the glob. The count of frames does not
  // change with the legend, so wait for the names of the query that has it.
  const shownNames = () => frames.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-name') ?? ''));
  await expect.poll(async () => (await shownNames()).filter((name) => name.endsWith(' of d0p5 [m]')).length).toBeGreaterThan(0);
  const names = await shownNames();
  names.forEach((name) => expect(name).toMatch(/^mass\.[^*?\s]+ of d(0p5|4) \[[^\]]*\]$/));
  await harness.screenshot('query-editor-compare');

  // Parameters of the same runs, only those that differ: the damping constant swept between them.
  await page.getByRole('radio', { name: 'Parameters' }).click();
  await page.locator('label[for="simviz-query-differs-only"]').first().click();
  await expect(page.getByRole('combobox', { name: 'Variables', exact: true })).toHaveCount(0);
  // The query runs again on each change: wait for the answer to the last one.
  await expect.poll(() => page.evaluate(() => window.__harnessLastResponse?.data[0]?.name)).toBe('Parameters that differ');
  const table = await page.evaluate(() => {
    const frame = window.__harnessLastResponse?.data[0] as { name: string; fields: Array<{ name: string; values: unknown[] }> };
    return { name: frame.name, columns: frame.fields.map((f) => f.name), parameters: frame.fields[0].values };
  });
  expect(table.name).toBe('Parameters that differ');
  expect(table.columns).toEqual(['Parameter', 'Unit', 'SpringDamper_sweep_d0p5_20261103_100000', 'SpringDamper_sweep_d4_20261103_100300', 'Description']);
  expect(table.parameters).toContain('damper.d');
});

test('display units convert a temperature to its display unit, with the axis unit to match', async ({ page }) => {
  await page.goto('/harness-view/query-editor?from=0&to=259200000&maxDataPoints=200');
  await pickOption(page, 'Simulations', 'TwoZoneBuilding', 'TwoZoneBuilding_winter_thermostat_20261102_080000');
  const answered = nextQueryAnswer(page);
  await pickOption(page, 'Variables', 'zone1.T', 'zone1.T');
  expect((await answered).status()).toBe(200);
  const frame = page.getByTestId('harness-frame');
  await expect(frame).toHaveAttribute('data-unit', 'kelvin');
  const kelvin = await page.evaluate(() => window.__harnessLastResponse?.data[0].fields[1].values as number[]);
  await page.locator('label[for="simviz-query-display-units"]').first().click();
  await expect(frame).toHaveAttribute('data-unit', 'celsius');
  const celsius = await page.evaluate(() => window.__harnessLastResponse?.data[0].fields[1].values as number[]);
  expect(celsius).toHaveLength(kelvin.length);
  celsius.forEach((c, i) => expect(c).toBeCloseTo(kelvin[i] - 273.15, 9));
});

test('the component tree browses a run’s variables and adds them to the query', async ({ page, harness }) => {
  await page.goto('/harness-view/query-editor?from=0&to=10000&maxDataPoints=500');
  await pickOption(page, 'Simulations', 'SpringDamper_sweep_d1_', 'SpringDamper_sweep_d1_20261103_100100');
  await page.getByRole('button', { name: 'Browse' }).click();
  // A small model loads whole: no "showing n of m".
  await expect(page.getByTestId('simviz-variable-tree')).toContainText('mass');
  await expect(page.getByText(/^Showing \d+ of \d+ variables/)).toHaveCount(0);
  // Once in a CI run (of 41 tests, on a loaded two-CPU machine) the first click on the chevron took
  // focus but left the component collapsed; the cause is not found yet. A user clicks again; so does this.
  await expect(async () => {
    if (await page.getByRole('button', { name: 'Expand mass' }).isVisible()) {
      await page.getByRole('button', { name: 'Expand mass' }).click();
    }
    await expect(page.getByRole('button', { name: 'Collapse mass' })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Add mass.v' }).click();
  const frames = page.getByTestId('harness-frame');
  await expect(frames).toHaveCount(1);
  await expect(frames).toHaveAttribute('data-name', 'SpringDamper_sweep_d1_20261103_100100 mass.v');
  await expect(frames).toHaveAttribute('data-unit', 'velocityms');
  await harness.screenshot('query-editor-tree');
});

test('a raw table holds every point of a run’s variables on one time column, and the run-start axis moves it to the run’s date', async ({ page, request }) => {
  await page.goto('/harness-view/query-editor?from=0&to=20&maxDataPoints=10');
  await pickOption(page, 'Simulations', 'RLCCircuit', 'RLCCircuit_step_underdamped_20261101_091500');
  await pickOption(page, 'Variables', 'capacitor.v', 'capacitor.v');
  await pickOption(page, 'Variables', 'inductor.i', 'inductor.i');
  await page.getByRole('radio', { name: 'Raw table' }).click();
  await expect.poll(() => page.evaluate(() => window.__harnessLastResponse?.data[0]?.fields.length)).toBe(3);
  const table = await page.evaluate(() => {
    const frame = window.__harnessLastResponse!.data[0] as { name: string; fields: Array<{ name: string; values: number[]; nanos?: number[] }> };
    const [time, voltage] = frame.fields;
    return { name: frame.name, columns: frame.fields.map((f) => f.name), time: time.values.map((ms, i) => ms + (time.nanos?.[i] ?? 0) / 1e6), voltage: voltage.values };
  });
  expect(table.name).toBe('RLCCircuit_step_underdamped_20261101_091500');
  expect(table.columns).toEqual(['Time', 'capacitor.v', 'inductor.i']);
  const id = await simulationId(request, 'RLCCircuit underdamped');
  const [exact] = await proxyQuery(request, { simulations: [id], variables: ['capacitor.v'], from: 0, to: 0.02, maxDataPoints: 10_000_000 });
  // Every point of the range, although the panel asked for 10.
  expect(table.voltage).toEqual(exact.values);
  expectSameTimes(table.time, exact.time.map((t) => t * 1000));

  await page.getByRole('radio', { name: 'Run start' }).click();
  const runStart = Date.UTC(2026, 10, 1, 9, 15, 0);
  // Whole milliseconds: the first point is at t = 0, on the run's start.
  await expect.poll(() => page.evaluate(() => (window.__harnessLastResponse?.data[0]?.fields[0].values as number[] | undefined)?.[0])).toBe(runStart + Math.floor(table.time[0]));
});

test('a panel on the folder-mode datasource runs through Grafana’s query API and the backend, with the proxy’s values', async ({ page, request }) => {
  // The folder datasource reads the proxy's example folder under the same name, so ids agree.
  const id = await simulationId(request, 'RLCCircuit underdamped');
  const saved = JSON.stringify({ refId: 'A', simulations: [id], variables: ['capacitor.v'] });
  await page.goto(`/harness-view/query-editor?uid=simviz-folder&from=0&to=20&maxDataPoints=10000&query=${encodeURIComponent(saved)}`);
  const answered = nextQueryAnswer(page);
  await page.getByTestId('harness-run-query').click();
  const answer = await answered;
  expect(answer.status()).toBe(200);
  expect((answer.request().postDataJSON() as { queries: Array<{ datasource: { uid: string } }> }).queries[0].datasource.uid).toBe('simviz-folder');
  const frames = page.getByTestId('harness-frame');
  await expect(frames).toHaveCount(1);
  await expect(frames).toHaveAttribute('data-name', 'RLCCircuit_step_underdamped_20261101_091500 capacitor.v');
  await expect(frames).toHaveAttribute('data-unit', 'volt');
  const shown = await page.evaluate(() => window.__harnessLastResponse!.data[0].fields[1].values as number[]);
  const [expected] = await proxyQuery(request, { simulations: [id], variables: ['capacitor.v'], from: 0, to: 0.02, maxDataPoints: 10000 });
  expect(shown).toEqual(expected.values);
});

test.describe('a saved query the backend cannot run', () => {
  // Grafana answers 207 (multi-status) when a query failed, which is no failure of the page; the
  // editor looking up the made-up run `x` by id gets a 404, shown as "x (not found)".
  test.use({ allowedFailures: [/\/api\/datasources\/uid\/simviz\/resources\/api\/v1\/simulations\/x$/] });

  test('shows the backend’s error naming the problem', async ({ page }) => {
    const saved = JSON.stringify({ refId: 'A', queryType: 'stat', simulations: ['x'], variables: ['y'] });
    await page.goto(`/harness-view/query-editor?query=${encodeURIComponent(saved)}`);
    const answered = nextQueryAnswer(page);
    await page.getByTestId('harness-run-query').click();
    expect((await answered).status()).toBe(207);
    await expect.poll(() => page.evaluate(() => window.__harnessLastResponse?.errors?.[0]?.message)).toMatch(/^Query A: unknown query type "stat"/);
  });
});

test('“Newest run matching” over the whole run: no simulations to pick, the variables and frames of the run it picks now', async ({ page, request }) => {
  // Newest by file modification time, which the generated examples do not fix: ask the proxy itself.
  const base = await proxyUrl(request);
  const listing = await request.get(`${base}/api/v1/simulations?search=SpringDamper_sweep&status=ok&sort=modifiedAt&order=desc&limit=1`, { headers: { authorization: `Bearer ${HARNESS_API_KEY}` } });
  const newest = ((await listing.json()) as { items: Array<{ name: string }> }).items[0].name;
  // A range of 1 ms: only "Whole run" makes the query read past it.
  await page.goto('/harness-view/query-editor?from=0&to=1&maxDataPoints=1000');
  await page.getByRole('radio', { name: 'Newest run matching' }).click();
  await expect(page.getByRole('combobox', { name: 'Simulations', exact: true })).toHaveCount(0);
  const search = page.locator('#simviz-query-newest-search');
  await search.fill('SpringDamper_sweep');
  await search.press('Enter');
  await expect(page.getByTestId('simviz-newest-run')).toHaveText(`Now: ${newest}`);
  await page.getByRole('radio', { name: 'Whole run' }).click();
  await pickOption(page, 'Variables', 'mass.s', 'mass.s');
  const frames = page.getByTestId('harness-frame');
  await expect(frames).toHaveCount(1);
  await expect(frames).toHaveAttribute('data-name', `${newest} mass.s`);
  expect(await page.evaluate(() => window.__harnessQuery)).toMatchObject({ newest: { search: 'SpringDamper_sweep' }, timeMode: 'wholeRun' });
  const last = await page.evaluate(() => (window.__harnessLastResponse!.data[0].fields[0].values as number[]).at(-1));
  expect(last).toBeGreaterThan(1000);
});
