/**
 * A dashboard the app ships, as Grafana opens it: the JSON from the built plugin (dist/dashboards,
 * found through the app's plugin.json includes), template variables resolved through the built
 * datasource's variable support (`var-x` URL parameters override them, as in Grafana), every panel's
 * targets and every annotation run through the built datasource, and each panel's result shown.
 *
 *   /harness-view/dashboard/{uid}?var-simulation=ID&var-variable=a&var-variable=b&from=0&to=10000
 */
import React, { useEffect, useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, LoadingPlaceholder, Stack, Text } from '@grafana/ui';

import { DatasourceLoader } from '../dashboard/datasources';
import { expandRepeats, flattenPanels, parseTime, type DashboardJson, type PanelInstance } from '../dashboard/model';
import { PanelView } from '../dashboard/PanelView';
import { runAnnotation, runPanel, type Marker, type PanelResult, type RunContext } from '../dashboard/run';
import { resolveVariables, type ResolvedVariable } from '../dashboard/variables';
import type { HarnessTemplateSrv } from '../services';

const APP_ID = 'simviz-simulation-app';

interface Loaded {
  dashboard: DashboardJson;
  range: { from: number; to: number };
  variables: ResolvedVariable[];
  panels: Array<{ instance: PanelInstance; title: string; result?: PanelResult }>;
  annotations: Array<{ name: string; markers: Marker[]; errors: string[] }>;
  done: boolean;
}

/** The dashboard with this uid among those the built app's plugin.json includes. */
async function loadDashboard(uid: string): Promise<DashboardJson> {
  const meta = await getBackendSrv().get<{ includes?: Array<{ type: string; path?: string }> }>(`/api/plugins/${APP_ID}/settings`);
  const paths = (meta.includes ?? []).filter((include) => include.type === 'dashboard' && include.path).map((include) => include.path!);
  const dashboards = await Promise.all(paths.map((path) => getBackendSrv().get<DashboardJson>(`/public/plugins/${APP_ID}/${path}`)));
  const found = dashboards.find((d) => d.uid === uid);
  if (!found) {
    throw new Error(`no dashboard with uid "${uid}" among the app's includes (${paths.join(', ')})`);
  }
  return found;
}

function rangeOf(dashboard: DashboardJson, params: URLSearchParams): { from: number; to: number } {
  return { from: parseTime(params.get('from') ?? dashboard.time.from), to: parseTime(params.get('to') ?? dashboard.time.to) };
}

async function open(uid: string, params: URLSearchParams, templateSrv: HarnessTemplateSrv, update: (loaded: Loaded) => void): Promise<void> {
  const dashboard = await loadDashboard(uid);
  const range = rangeOf(dashboard, params);
  const context: RunContext = { templateSrv, datasources: new DatasourceLoader(), range };
  const variables = await resolveVariables(dashboard.templating.list, { ...context, params });
  const instances = expandRepeats(flattenPanels(dashboard.panels), (name) => variables.find((v) => v.name === name)?.selected ?? []);
  const panels = instances.map((instance) => ({ instance, title: templateSrv.replace(instance.panel.title, instance.scopedVars, 'text') }));
  update({ dashboard, range, variables, panels, annotations: [], done: false });
  const annotations = await Promise.all(dashboard.annotations.list.filter((a) => a.enable !== false).map(async (a) => ({ name: a.name, ...(await runAnnotation(a, context)) })));
  const results = await Promise.all(instances.map((instance) => runPanel(instance, context)));
  update({ dashboard, range, variables, annotations, panels: panels.map((panel, i) => ({ ...panel, result: results[i] })), done: true });
}

function VariablesBar({ variables, range }: { variables: ResolvedVariable[]; range: { from: number; to: number } }) {
  return (
    <Stack direction="row" gap={2} wrap="wrap">
      {variables.map((v) => (
        <span key={v.name} data-testid="dashboard-variable" data-name={v.name} data-options={v.options.length} data-selected={v.selected.map((o) => o.value).join(',')}>
          <Text color="secondary">{v.label}</Text> <Text>{v.selected.map((o) => o.text).join(' + ') || '(none)'}</Text>
        </span>
      ))}
      <span>
        <Text color="secondary">Range</Text> <Text>{`${new Date(range.from).toISOString()} to ${new Date(range.to).toISOString()}`}</Text>
      </span>
    </Stack>
  );
}

export function DashboardView({ templateSrv }: { templateSrv: HarnessTemplateSrv }) {
  const { uid = '' } = useParams();
  const [params] = useSearchParams();
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<string>();
  const search = params.toString();
  useEffect(() => {
    open(uid, new URLSearchParams(search), templateSrv, setLoaded).catch((caught: unknown) => setError(String(caught)));
  }, [uid, search, templateSrv]);

  if (error) {
    return <Alert title="The dashboard could not be opened" severity="error" data-testid="dashboard-error">{error}</Alert>;
  }
  if (!loaded) {
    return <LoadingPlaceholder text="Loading dashboard" />;
  }
  const markers = loaded.annotations.flatMap((a) => a.markers);
  return (
    <Stack direction="column" gap={2}>
      <h2 data-testid="dashboard-title" data-done={loaded.done}>
        {loaded.dashboard.title}
      </h2>
      <VariablesBar variables={loaded.variables} range={loaded.range} />
      {loaded.annotations.map((a) => (
        <Text key={a.name} color={a.errors.length > 0 ? 'error' : 'secondary'}>
          <span data-testid="dashboard-annotation" data-name={a.name} data-count={a.markers.length} data-errors={a.errors.length}>
            Annotations “{a.name}”: {a.markers.length} markers{a.errors.length > 0 ? ` (${a.errors.join('; ')})` : ''}
          </span>
        </Text>
      ))}
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(24, minmax(0, 1fr))', gap: 8 }}>
        {loaded.panels.map(({ instance, title, result }) => (
          <PanelView key={instance.key} title={title} panel={instance.panel} width={instance.width} result={result} markers={markers} />
        ))}
      </div>
    </Stack>
  );
}
