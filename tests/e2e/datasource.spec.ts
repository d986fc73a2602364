import { expect, requireGrafana, test } from './fixtures';

requireGrafana();

test('the provisioned folder-mode SimViz datasource reads the folder on the Grafana server', async ({ readProvisionedDataSource, gotoDataSourceConfigPage }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'SimViz' });
  const configPage = await gotoDataSourceConfigPage(datasource.uid);
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: /reads the folder .* on the Grafana server: \d+ simulations/ });
});

test('the provisioned proxy-mode SimViz datasource connects to the proxy', async ({ readProvisionedDataSource, gotoDataSourceConfigPage }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'SimViz proxy' });
  const configPage = await gotoDataSourceConfigPage(datasource.uid);
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: /Connected to the SimViz proxy/ });
});

interface DsQueryAnswer {
  results: Record<string, { status?: number; error?: string; frames?: Array<{ schema: { name?: string; fields: Array<{ name: string; type: string; labels?: Record<string, string> }> }; data: { values: unknown[][] } }> }>;
}

test('scripts get simulation results from /api/ds/query, with the newest run and the whole run', async ({ request, readProvisionedDataSource }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'SimViz' });
  const response = await request.post('/api/ds/query', {
    data: {
      from: '0',
      to: '3600000',
      queries: [
        { refId: 'A', datasource: { uid: datasource.uid }, queryType: 'timeseries', newest: { search: 'TwoZoneBuilding' }, variables: ['zone1.T'], timeMode: 'wholeRun' },
        { refId: 'B', datasource: { uid: datasource.uid }, queryType: 'timeseries', simulations: ['no-such-id'], variables: ['x'] },
      ],
    },
  });
  // One query failed, the other was answered: Grafana says 400 (207 with its datasourceQueryMultiStatus toggle).
  expect([400, 207]).toContain(response.status());
  const answer = (await response.json()) as DsQueryAnswer;
  const [frame] = answer.results.A.frames ?? [];
  expect(frame.schema.fields.map((f) => f.type)).toEqual(['time', 'number']);
  expect(frame.schema.fields[1].labels?.variable).toBe('zone1.T');
  expect(frame.data.values[1].length).toBeGreaterThan(10);
  expect(answer.results.B.error).toMatch(/no-such-id/);
});

test('the provisioned alert rule evaluates on the backend and is normal for the example building', async ({ request }) => {
  const rules = await request.get('/api/prometheus/grafana/api/v1/rules');
  expect(rules.ok()).toBeTruthy();
  const body = (await rules.json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; state: string; lastError?: string }> }> } };
  const rule = body.data.groups.flatMap((g) => g.rules).find((r) => r.name === 'Newest TwoZoneBuilding run reached zone1.T > 330 K');
  expect(rule).toBeDefined();
  // Evaluated at least once (the group runs every 5 minutes, the first time at start).
  await expect
    .poll(async () => {
      const again = (await (await request.get('/api/prometheus/grafana/api/v1/rules')).json()) as typeof body;
      return again.data.groups.flatMap((g) => g.rules).find((r) => r.name === rule!.name)?.health;
    }, { timeout: 120_000 })
    .toBe('ok');
});

test('the nightly regression rule fires for the drifted example run and not for the reproduced one', async ({ request }) => {
  const firing = async () => {
    const alerts = (await (await request.get('/api/prometheus/grafana/api/v1/alerts')).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
    return alerts.data.alerts.filter((a) => a.labels.check === 'regression' && a.state.toLowerCase().startsWith('alerting')).map((a) => a.labels.run);
  };
  // The example runs are generated at start, so they are within the rule's 24 hours.
  await expect.poll(firing, { timeout: 180_000 }).toEqual(['RLCCircuit_step_drifted_20261105_020000']);
});

test('an alert rule on SimViz can be previewed in the rule editor', async ({ page, request, readProvisionedDataSource }) => {
  const datasource = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'SimViz' });
  const evaluation = await request.post('/api/v1/eval', {
    data: {
      data: [
        {
          refId: 'A',
          datasourceUid: datasource.uid,
          relativeTimeRange: { from: 600, to: 0 },
          model: { refId: 'A', queryType: 'timeseries', newest: { search: 'TwoZoneBuilding' }, variables: ['zone1.T'], timeMode: 'lastSeconds', lastSeconds: 3600 },
        },
        { refId: 'B', datasourceUid: '__expr__', model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last' } },
      ],
    },
  });
  expect(evaluation.ok()).toBeTruthy();
  const results = (await evaluation.json()) as { results: Record<string, { frames?: Array<{ data: { values: number[][] } }>; error?: string }> };
  expect(results.results.B.error).toBeUndefined();
  const last = results.results.B.frames?.[0].data.values[0][0];
  expect(last).toBeGreaterThan(250);
  expect(last).toBeLessThan(330);
  await page.goto('/alerting/list?search=SimViz');
  await expect(page.getByText('Newest TwoZoneBuilding run reached zone1.T > 330 K')).toBeVisible();
});
