import './boot';

import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes, useSearchParams } from 'react-router-dom';
import type { DataQuery, DataSourceApi, DataSourceInstanceSettings } from '@grafana/data';
import { config, getBackendSrv, setBackendSrv, setTemplateSrv, type BackendSrv } from '@grafana/runtime';
import { GlobalStyles, LoadingPlaceholder, ThemeContext } from '@grafana/ui';

import { registerSharedDependencies } from './sharedDependencies';
import { importDataSourcePlugin, type AnyDataSourcePlugin } from './pluginLoader';
import { HarnessBackendSrv, HarnessTemplateSrv } from './services';
import { AppConfigView, AppRootView } from './views/AppView';
import { AnnotationEditorView } from './views/AnnotationEditorView';
import { DatasourceConfigView } from './views/DatasourceConfigView';
import { QueryEditorView } from './views/QueryEditorView';
import { VariableEditorView } from './views/VariableEditorView';

declare global {
  interface Window {
    __harnessBackendSrv: HarnessBackendSrv;
    __harnessTemplateSrv: HarnessTemplateSrv;
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

function QueryEditorRoute() {
  const [params] = useSearchParams();
  applyVariablesFromUrl(params);
  const { plugin, datasource, error } = useDatasource(params.get('uid') ?? 'simviz');
  if (error) {
    return <div data-testid="harness-load-error">{error}</div>;
  }
  if (!plugin || !datasource) {
    return <LoadingPlaceholder text="Loading datasource" />;
  }
  const range = { from: Number(params.get('from') ?? 0), to: Number(params.get('to') ?? 10_000) };
  const saved = params.get('query');
  return (
    <QueryEditorView
      plugin={plugin}
      datasource={datasource}
      range={range}
      maxDataPoints={Number(params.get('maxDataPoints') ?? 1000)}
      initialQuery={saved ? (JSON.parse(saved) as DataQuery) : undefined}
    />
  );
}

function AnnotationEditorRoute() {
  const [params] = useSearchParams();
  const { plugin, datasource, error } = useDatasource(params.get('uid') ?? 'simviz');
  if (error) {
    return <div data-testid="harness-load-error">{error}</div>;
  }
  if (!plugin || !datasource) {
    return <LoadingPlaceholder text="Loading datasource" />;
  }
  const range = { from: Number(params.get('from') ?? 0), to: Number(params.get('to') ?? 10_000) };
  return <AnnotationEditorView plugin={plugin} datasource={datasource} range={range} />;
}

function VariableEditorRoute() {
  const [params] = useSearchParams();
  applyVariablesFromUrl(params);
  const { datasource, error } = useDatasource(params.get('uid') ?? 'simviz');
  if (error) {
    return <div data-testid="harness-load-error">{error}</div>;
  }
  return datasource ? <VariableEditorView datasource={datasource} /> : <LoadingPlaceholder text="Loading datasource" />;
}

function DatasourceConfigRoute() {
  const [params] = useSearchParams();
  const uid = params.get('uid') ?? 'simviz';
  const { plugin, error } = useDatasource(uid);
  if (error) {
    return <div data-testid="harness-load-error">{error}</div>;
  }
  return plugin ? <DatasourceConfigView plugin={plugin} uid={uid} /> : <LoadingPlaceholder text="Loading datasource" />;
}

function Harness() {
  useEffect(() => {
    window.__harnessReady = true;
  }, []);
  return (
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <div style={{ padding: 16 }}>
        <BrowserRouter>
          <Routes>
            <Route path="/harness-view/query-editor" element={<QueryEditorRoute />} />
            <Route path="/harness-view/datasource-config" element={<DatasourceConfigRoute />} />
            <Route path="/harness-view/variable-editor" element={<VariableEditorRoute />} />
            <Route path="/harness-view/annotation-editor" element={<AnnotationEditorRoute />} />
            <Route path="/a/simviz-simulation-app/*" element={<AppRootView />} />
            <Route path="/plugins/simviz-simulation-app" element={<AppConfigView />} />
            <Route path="*" element={<div>SimViz harness: unknown view</div>} />
          </Routes>
        </BrowserRouter>
      </div>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('reactRoot')!).render(<Harness />);
