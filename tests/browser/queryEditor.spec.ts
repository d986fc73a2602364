import type { APIRequestContext } from '@playwright/test';

import type { QueryResponse, Series } from '../../src/shared/api';
import { SERIES_MEDIA_TYPE } from '../../src/shared/seriesWire';
import { HARNESS_API_KEY } from '../harness/constants';
import { expect, pickOption, proxyUrl, simulationId, test } from './fixtures';

interface FrameSummary {
  name: string;
  unit: string | undefined;
  time: number[];
  values: Array<number | null>;
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
      (frame: { name?: string; fields: Array<{ type: string; values: unknown[]; config: { unit?: string } }> }) => ({
        name: frame.name ?? '',
        unit: frame.fields[1].config.unit,
        time: frame.fields[0].values as number[],
        values: frame.fields[1].values as Array<number | null>,
      })
    )
  );
  const id = await simulationId(request, 'BouncingBall_drop_e0p8');
  const expected = await proxyQuery(request, { simulations: [id], variables: ['ball.h', 'ball.v'], from: 0, to: 6, maxDataPoints: 1000 });
  expect(shown.map((f: FrameSummary) => f.name)).toEqual(expected.map((s) => `${s.simulationName} ${s.variable}`));
  shown.forEach((frame: FrameSummary, i: number) => {
    expect(frame.time).toEqual(expected[i].time.map((t) => t * 1000));
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
  const answered = page.waitForResponse((response) => response.url().includes('/api/v1/query'));
  await pickOption(page, 'Variables', 'zone1.T', 'zone1.T');
  // Through the data proxy, the series come in the proxy's binary form (src/shared/seriesWire.ts), not as JSON.
  expect((await answered).headers()['content-type']).toBe(SERIES_MEDIA_TYPE);
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
  const answered = page.waitForResponse((response) => response.url().includes('/api/v1/query'));
  await pickOption(page, 'Variables', 'zone1.T', 'zone1.T');
  // Through the data proxy, the series come in the proxy's binary form (src/shared/seriesWire.ts), not as JSON.
  expect((await answered).headers()['content-type']).toBe(SERIES_MEDIA_TYPE);
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
  await page.getByRole('button', { name: 'Expand mass' }).click();
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
    const frame = window.__harnessLastResponse!.data[0] as { name: string; fields: Array<{ name: string; values: number[] }> };
    return { name: frame.name, columns: frame.fields.map((f) => f.name), time: frame.fields[0].values, voltage: frame.fields[1].values };
  });
  expect(table.name).toBe('RLCCircuit_step_underdamped_20261101_091500');
  expect(table.columns).toEqual(['Time', 'capacitor.v', 'inductor.i']);
  const id = await simulationId(request, 'RLCCircuit');
  const [exact] = await proxyQuery(request, { simulations: [id], variables: ['capacitor.v'], from: 0, to: 0.02, maxDataPoints: 10_000_000 });
  // Every point of the range, although the panel asked for 10.
  expect(table.voltage).toEqual(exact.values);
  expect(table.time).toEqual(exact.time.map((t) => t * 1000));

  await page.getByRole('radio', { name: 'Run start' }).click();
  const runStart = Date.UTC(2026, 10, 1, 9, 15, 0);
  await expect.poll(() => page.evaluate(() => (window.__harnessLastResponse?.data[0]?.fields[0].values as number[] | undefined)?.[0])).toBe(runStart + table.time[0]);
});
