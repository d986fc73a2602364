import './boot';

import React, { useEffect, useLayoutEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Router, Routes, useSearchParams, type Navigator } from 'react-router-dom';
import type { DataQuery, DataSourceApi, DataSourceInstanceSettings } from '@grafana/data';
import { config, getBackendSrv, locationService, setBackendSrv, setDataSourceSrv, setGrafanaLiveSrv, setTemplateSrv, type BackendSrv } from '@grafana/runtime';
import { GlobalStyles, LoadingPlaceholder, ThemeContext } from '@grafana/ui';

import { HarnessDataSourceSrv } from './dataSourceSrv';
import { HarnessLiveSrv } from './live';
import { HarnessPanelRenderer } from './panelRenderer';
import { setPanelRenderer } from './runtimeInternal';
import { registerSharedDependencies } from './sharedDependencies';
import { importDataSourcePlugin, type AnyDataSourcePlugin } from './pluginLoader';
import { HarnessBackendSrv, HarnessTemplateSrv } from './services';
import { AppConfigView, AppRootView } from './views/AppView';
import { AnnotationEditorView } from './views/AnnotationEditorView';
import { DashboardView } from './views/DashboardView';
import { DatasourceConfigView } from './views/DatasourceConfigView';
import { QueryEditorView } from './views/QueryEditorView';
import { VariableEditorView } from './views/VariableEditorView';

declare global {
  interface Window {
    __harnessBackendSrv: HarnessBackendSrv;
    __harnessTemplateSrv: HarnessTemplateSrv;
    __harnessLive: HarnessLiveSrv;
    __harnessReady?: boolean;
  }
}

const backendSrv = new HarnessBackendSrv();
// Template variables for the query flows: a multi-value simulation variable set by the test through the URL.
const templateSrv = new HarnessTemplateSrv();
window.__harnessBackendSrv = backendSrv;
window.__harnessTemplateSrv = templateSrv;
setBackendSrv(backendSrv as unknown as BackendSrv);
setTemplateSrv(templateSrv);
const dataSourceSrv = new HarnessDataSourceSrv();
setDataSourceSrv(dataSourceSrv);
setPanelRenderer(HarnessPanelRenderer);
// Grafana Live, over the harness server's stand-in for Grafana's side of it.
const liveSrv = new HarnessLiveSrv();
window.__harnessLive = liveSrv;
setGrafanaLiveSrv(liveSrv);
registerSharedDependencies();

function useDatasource(uid: string) {
  const [state, setState] = useState<{ plugin?: AnyDataSourcePlugin; datasource?: DataSourceApi; error?: string }>({});
  useEffect(() => {
    (async () => {
      const list = await getBackendSrv().get<DataSourceInstanceSettings[]>('/api/harness/datasources');
      const settings = list.find((s) => s.uid === uid);
      if (!settings) {
        throw new Error(`no datasource ${uid}`);
      }
      const plugin = await importDataSourcePlugin(settings);
      setState({ plugin, datasource: new plugin.DataSourceClass(settings) });
    })().catch((error: unknown) => setState({ error: String(error) }));
  }, [uid]);
  return state;
}

function applyVariablesFromUrl(params: URLSearchParams): void {
  const names = new Set([...params.keys()].filter((k) => k.startsWith('var-')));
  templateSrv.variables = [...names].map((key) => {
    const values = params.getAll(key);
    return { name: key.slice(4), current: values.length === 1 ? values[0] : values };
  });
}

interface Loaded {
  plugin: AnyDataSourcePlugin;
  datasource: DataSourceApi;
  uid: string;
  params: URLSearchParams;
}

/**
 * A host page around one datasource (`?uid=`, default `simviz`): template variables from the URL's
 * `var-x` parameters, then the page once the plugin is loaded, or why it could not be.
 */
function DatasourceRoute({ render }: { render: (loaded: Loaded) => React.ReactElement }) {
  const [params] = useSearchParams();
  applyVariablesFromUrl(params);
  const uid = params.get('uid') ?? 'simviz';
  const { plugin, datasource, error } = useDatasource(uid);
  if (error) {
    return <div data-testid="harness-load-error">{error}</div>;
  }
  if (!plugin || !datasource) {
    return <LoadingPlaceholder text="Loading datasource" />;
  }
  return render({ plugin, datasource, uid, params });
}

function rangeOf(params: URLSearchParams): { from: number; to: number } {
  return { from: Number(params.get('from') ?? 0), to: Number(params.get('to') ?? 10_000) };
}

function queryEditor({ plugin, datasource, params }: Loaded) {
  const saved = params.get('query');
  return (
    <QueryEditorView
      plugin={plugin}
      datasource={datasource}
      range={rangeOf(params)}
      maxDataPoints={Number(params.get('maxDataPoints') ?? 1000)}
      initialQuery={saved ? (JSON.parse(saved) as DataQuery) : undefined}
    />
  );
}

/**
 * As Grafana routes: react-router driven by locationService's history (history v4, whose listener
 * signature differs from the v5 one react-router's own routers expect), so plugin code may use
 * either react-router or locationService.
 */
function GrafanaRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((next: typeof history.location) => setLocation(next)), [history]);
  return (
    <Router navigator={history as unknown as Navigator} location={location}>
      {children}
    </Router>
  );
}

function Harness() {
  useEffect(() => {
    window.__harnessReady = true;
  }, []);
  return (
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <div style={{ padding: 16 }}>
        <GrafanaRouter>
          <Routes>
            <Route path="/harness-view/query-editor" element={<DatasourceRoute render={queryEditor} />} />
            <Route
              path="/harness-view/datasource-config"
              element={<DatasourceRoute render={({ plugin, uid }) => <DatasourceConfigView plugin={plugin} uid={uid} />} />}
            />
            <Route
              path="/harness-view/variable-editor"
              element={<DatasourceRoute render={({ datasource }) => <VariableEditorView datasource={datasource} />} />}
            />
            <Route
              path="/harness-view/annotation-editor"
              element={
                <DatasourceRoute
                  render={({ plugin, datasource, params }) => <AnnotationEditorView plugin={plugin} datasource={datasource} range={rangeOf(params)} />}
                />
              }
            />
            <Route path="/harness-view/dashboard/:uid" element={<DashboardView templateSrv={templateSrv} />} />
            <Route path="/a/simviz-simulation-app/*" element={<AppRootView />} />
            <Route path="/plugins/simviz-simulation-app" element={<AppConfigView />} />
            <Route path="*" element={<div>SimViz harness: unknown view</div>} />
          </Routes>
        </GrafanaRouter>
      </div>
    </ThemeContext.Provider>
  );
}

// App pages read the datasource list synchronously, as Grafana has it from its boot data.
dataSourceSrv.load().then(() => createRoot(document.getElementById('reactRoot')!).render(<Harness />));
