import type { EventPage, Simulation, SimulationPage } from '../../src/shared/api';
import { HARNESS_API_KEY } from '../harness/constants';
import { expect, pickOption, test } from './fixtures';

test('annotations mark each event of a run and its start and stop', async ({ page, request, harness }) => {
  const datasources = (await (await request.get('/api/harness/datasources')).json()) as Array<{ jsonData: { proxyUrl: string } }>;
  const base = datasources[0].jsonData.proxyUrl;
  const headers = { authorization: `Bearer ${HARNESS_API_KEY}` };
  const found = (await (await request.get(`${base}/api/v1/simulations?search=BouncingBall_drop_e0p8`, { headers })).json()) as SimulationPage;
  const run: Simulation = found.items[0];
  const events = (await (await request.get(`${base}/api/v1/simulations/${run.id}/events?from=0&to=10`, { headers })).json()) as EventPage;
  expect(events.items.length).toBeGreaterThan(0);

  await page.goto('/harness-view/annotation-editor?from=0&to=10000');
  // A new annotation query is an events query with run start and stop on.
  await expect(page.getByRole('radio', { name: 'Events' })).toBeChecked();
  await expect(page.getByRole('switch', { name: 'Run start and stop' })).toBeChecked();
  await pickOption(page, 'Simulations', 'BouncingBall_drop_e0p8', run.name);
  await page.getByTestId('harness-run-annotations').click();

  const markers = page.getByTestId('harness-annotation');
  await expect(markers).toHaveCount(events.items.length + 2);
  const times = await markers.evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-time'))));
  // At whole milliseconds, as Grafana draws them: the time field's values, from the backend's int64
  // nanoseconds (the rest stays in the field's nanos).
  const wholeMs = (seconds: number) => Math.trunc(Math.round(seconds * 1000 * 1e6) / 1e6);
  expect(times).toEqual([run.startTime!, ...events.items.map((e) => e.time), run.stopTime!].map(wholeMs));
  await expect(markers.first()).toContainText(`${run.name} starts`);
  await expect(markers.last()).toContainText(`${run.name} stops`);
  await expect(markers.first()).toHaveAttribute('data-tags', `simviz,${run.name}`);
  await harness.screenshot('annotation-editor');
});
