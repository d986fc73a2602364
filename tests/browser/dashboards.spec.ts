import type { APIRequestContext, Locator, Page } from '@playwright/test';

import type { EventPage, SharedVariablePage, SimulationPage, Stats, VariablePage } from '../../src/shared/api';
import { HARNESS_API_KEY } from '../harness/constants';
import { expect, test } from './fixtures';

/** The SimViz proxy behind the harness, asked directly for the figures the dashboards should show. */
async function proxyGet<T>(request: APIRequestContext, route: string): Promise<T> {
  const datasources = (await (await request.get('/api/harness/datasources')).json()) as Array<{ jsonData: { proxyUrl: string } }>;
  const response = await request.get(`${datasources[0].jsonData.proxyUrl}/api/v1${route}`, { headers: { authorization: `Bearer ${HARNESS_API_KEY}` } });
  expect(response.ok()).toBe(true);
  return (await response.json()) as T;
}

async function runsMatching(request: APIRequestContext, search: string): Promise<SimulationPage['items']> {
  return (await proxyGet<SimulationPage>(request, `/simulations?search=${encodeURIComponent(search)}&status=ok`)).items;
}

/** Opens a dashboard and waits until every panel and annotation has run. */
async function openDashboard(page: Page, uid: string, params: Record<string, string | string[]> = {}): Promise<Locator> {
  const search = new URLSearchParams();
  Object.entries(params).forEach(([key, value]) => [value].flat().forEach((v) => search.append(key, v)));
  await page.goto(`/harness-view/dashboard/${uid}?${search}`);
  await expect(page.getByTestId('dashboard-title')).toHaveAttribute('data-done', 'true', { timeout: 30_000 });
  return page.getByTestId('dashboard-panel');
}

/** Every panel ran, has data and no error. */
async function expectEveryPanelWithData(panels: Locator): Promise<void> {
  const states = await panels.evaluateAll((nodes) =>
    nodes.map((node) => ({ title: node.getAttribute('data-title'), errors: node.getAttribute('data-errors'), hasRows: Number(node.getAttribute('data-rows')) > 0 }))
  );
  expect(states.length).toBeGreaterThan(0);
  expect(states).toEqual(states.map((s) => ({ title: s.title, errors: '0', hasRows: true })));
}

function panel(page: Page, title: string): Locator {
  return page.locator(`[data-testid="dashboard-panel"][data-title="${title}"]`);
}

async function tableHeaders(panelLocator: Locator): Promise<string[]> {
  return panelLocator.locator('th').allTextContents();
}

test('Simulation overview: one panel per chosen variable, parameters, events and event annotations', async ({ page, request, harness }) => {
  const [run] = await runsMatching(request, 'BouncingBall_drop_e0p8');
  const variables = ['ball.h', 'ball.v', 'ball.E'];
  const parameters = await proxyGet<VariablePage>(request, `/simulations/${run.id}/parameters?limit=1000`);
  const events = await proxyGet<EventPage>(request, `/simulations/${run.id}/events?from=0&to=10`);
  expect(events.total).toBeGreaterThan(0);

  const panels = await openDashboard(page, 'simviz-simulation-overview', { 'var-simulation': run.id, 'var-variable': variables });
  await expectEveryPanelWithData(panels);
  // Repeated by $variable: one time series panel per chosen variable, each with that variable only.
  for (const name of variables) {
    const repeated = panel(page, name);
    await expect(repeated).toHaveAttribute('data-type', 'timeseries');
    await expect(repeated.getByTestId('panel-series')).toHaveCount(1);
    await expect(repeated.getByTestId('panel-series')).toHaveAttribute('data-name', new RegExp(`^${name.replace('.', '\\.')} `));
    // The events annotation marks the chart.
    await expect(repeated.getByTestId('panel-chart')).not.toHaveAttribute('data-markers', '0');
  }
  // Grafana's reduce transformation gives one row per variable with its final value.
  const values = panel(page, 'Values at the end of the range');
  await expect(values).toHaveAttribute('data-rows', String(variables.length));
  expect(await tableHeaders(values)).toEqual(expect.arrayContaining(['Variable', 'Min', 'Max', 'Final value']));
  await expect(panel(page, 'Parameters')).toHaveAttribute('data-rows', String(parameters.total));
  expect(await tableHeaders(panel(page, 'Parameters'))).toEqual(['Parameter', 'Value', 'Unit', 'Description']);
  await expect(panel(page, 'Events')).toHaveAttribute('data-rows', String(events.total + 2));
  await expect(page.getByTestId('dashboard-annotation')).toHaveAttribute('data-count', String(events.total + 2));
  await harness.screenshot('dashboard-simulation-overview');
});

test('Compare runs: variables overlaid per run, the parameters that differ and per-run statistics', async ({ page, request, harness }) => {
  const runs = await runsMatching(request, 'SpringDamper_sweep');
  expect(runs.length).toBeGreaterThan(1);
  const variables = ['mass.s', 'mass.v'];
  const panels = await openDashboard(page, 'simviz-compare-runs', { 'var-simulation': runs.map((r) => r.id), 'var-variable': variables });
  await expectEveryPanelWithData(panels);
  for (const name of variables) {
    const names = await panel(page, name).getByTestId('panel-series').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-name')));
    expect(names.sort()).toEqual(runs.map((r) => r.name).sort());
  }
  const differ = panel(page, 'Parameters that differ');
  await expect(differ).toHaveAttribute('data-rows', '1');
  await expect(differ.locator('td').first()).toHaveText('damper.d');
  const stats = panel(page, 'Per-run statistics (whole run)');
  await expect(stats).toHaveAttribute('data-rows', String(runs.length * variables.length));
  expect(await tableHeaders(stats)).toEqual(['Series', 'Min', 'Max', 'Final value']);
  await harness.screenshot('dashboard-compare-runs');
});

test('Parameter sweep: the output against time in every run, the parameter per run and the output per run', async ({ page, request, harness }) => {
  // The dashboard's default run filter is "sweep", with All runs chosen.
  const runs = await runsMatching(request, 'sweep');
  const shared = await proxyGet<SharedVariablePage>(request, `/variables?${runs.map((r) => `simulation=${r.id}`).join('&')}&kind=parameter&limit=1000`);
  const firstParameter = shared.items.map((v) => v.name).sort()[0];
  const panels = await openDashboard(page, 'simviz-parameter-sweep', { 'var-output': 'mass.s' });
  // All runs of the sweep are chosen.
  const selected = await page.locator('[data-testid="dashboard-variable"][data-name="simulation"]').getAttribute('data-selected');
  expect(selected!.split(',').sort()).toEqual(runs.map((r) => r.id).sort());
  await expect(page.locator('[data-testid="dashboard-variable"][data-name="parameter"]')).toHaveAttribute('data-selected', firstParameter);
  await expectEveryPanelWithData(panels);

  const xy = panel(page, 'mass.s against time, one curve per run');
  const series = xy.getByTestId('panel-series');
  await expect(series).toHaveCount(runs.length);
  // The numeric time axis spans the whole run whatever the dashboard range: every point of each run.
  const points = await series.evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-points'))));
  points.forEach((count, i) => expect({ run: i, count }).toEqual({ run: i, count: runs[0].timePointCount }));
  // One row per run with the parameter's value in it, as the proxy has it.
  const perParameter = panel(page, `${firstParameter} in each run`);
  await expect(perParameter).toHaveAttribute('data-rows', String(runs.length));
  expect(await tableHeaders(perParameter)).toEqual(['Run', firstParameter]);
  for (const run of runs) {
    const [value] = (await proxyGet<VariablePage>(request, `/simulations/${run.id}/parameters?glob=${encodeURIComponent(firstParameter)}`)).items;
    // Formatted by Grafana's default number format (e.g. 0.500).
    expect(Number(await perParameter.locator('tr', { hasText: run.name }).locator('td').nth(1).textContent())).toBe(value.value);
  }
  const perRun = panel(page, 'mass.s per run: minimum, maximum and final value');
  await expect(perRun).toHaveAttribute('data-rows', String(runs.length));
  await harness.screenshot('dashboard-parameter-sweep');
});

test('Proxy operations: health, simulations by status, recent failures, indexing and request timings from the proxy', async ({ page, request, harness }) => {
  // Some traffic first, so the timings have something to show.
  await proxyGet<SimulationPage>(request, '/simulations?limit=1');
  const stats = await proxyGet<Stats>(request, '/stats');
  expect(stats.simulations.error).toBeGreaterThan(0);

  const panels = await openDashboard(page, 'simviz-proxy-operations');
  await expectEveryPanelWithData(panels);
  // The stat panels show the field they select, with the dashboard's value mapping.
  await expect(panel(page, 'Status').getByTestId('dashboard-stat')).toHaveText('Ready');
  await expect(panel(page, 'Version').getByTestId('dashboard-stat')).toHaveText(stats.version);
  await expect(panel(page, 'Simulations').getByTestId('dashboard-stat')).toHaveText(String(stats.simulations.total));
  await expect(panel(page, 'Simulations by status').getByTestId('dashboard-bar')).toHaveCount(3);
  await expect(panel(page, 'Simulations by status').locator('[data-label="error"]')).toHaveText(String(stats.simulations.error));
  await expect(panel(page, 'Recent failures')).toHaveAttribute('data-rows', String(Math.min(stats.simulations.error, 20)));
  const timings = panel(page, 'Response times per route');
  expect(await tableHeaders(timings)).toEqual(['Route', 'Method', 'Requests', 'Server errors', 'p50', 'p95', 'p99', 'Max']);
  const simulationsRow = timings.locator('tr', { has: page.locator('td', { hasText: /^\/api\/v1\/simulations$/ }) });
  await expect(simulationsRow).toHaveCount(1);
  // Timings carry the ms unit, formatted by Grafana's unit formatters.
  await expect(simulationsRow.locator('td').nth(5)).toHaveText(/^[\d.]+ (ms|s)$/);
  const scanned = panel(page, 'Last scan of the data roots').locator('[data-testid="dashboard-stat"][data-name="Files scanned"]');
  await expect(scanned).toContainText(String(stats.indexing.lastScan!.files));
  await harness.screenshot('dashboard-proxy-operations');
});

test('Regression vs reference: the drifted nightly run fails against its reference, with the tube as a band', async ({ page, request, harness }) => {
  const [run] = await runsMatching(request, 'RLCCircuit drifted');
  const panels = await openDashboard(page, 'simviz-regression', { 'var-run': run.id, 'var-variable': ['capacitor.v', 'inductor.i'] });
  await expectEveryPanelWithData(panels);
  const table = panel(page, 'Result per variable');
  await expect(table).toHaveAttribute('data-rows', '2');
  expect(await tableHeaders(table)).toEqual(expect.arrayContaining(['Variable', 'Result', 'Worst deviation', 'Worst / tube', 'At time', 'Where']));
  await expect(table.locator('td', { hasText: /^fail$/ })).not.toHaveCount(0);
  // The failing variables: run, reference, and the tube's two bounds, with the failing intervals marked.
  const failing = panel(page, 'Variables that leave the tube');
  const names = await failing.getByTestId('panel-series').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-name')));
  expect(names).toEqual(expect.arrayContaining(['capacitor.v run', 'capacitor.v reference', 'capacitor.v lower', 'capacitor.v upper']));
  await expect(failing.getByTestId('panel-chart')).not.toHaveAttribute('data-markers', '0');
  await harness.screenshot('dashboard-regression');
});

for (const uid of ['simviz-simulation-overview', 'simviz-compare-runs', 'simviz-parameter-sweep', 'simviz-regression', 'simviz-proxy-operations']) {
  test(`${uid} works as provisioned: its own default choices give every panel data`, async ({ page, harness: _harness }) => {
    const panels = await openDashboard(page, uid);
    await expectEveryPanelWithData(panels);
    // Every query variable found options to choose from.
    const options = await page.getByTestId('dashboard-variable').evaluateAll((nodes) => nodes.map((n) => [n.getAttribute('data-name'), Number(n.getAttribute('data-options')) > 0]));
    expect(options).toEqual(options.map(([name]) => [name, true]));
  });
}
