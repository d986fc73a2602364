import React, { Suspense, useEffect, useState } from 'react';
import type { AppPlugin } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { LoadingPlaceholder } from '@grafana/ui';
import { Route, Routes } from 'react-router-dom';

import { importAppPlugin, type AppMeta } from '../pluginLoader';

const APP_ID = 'simviz-simulation-app';

function useAppPlugin(): { plugin?: AppPlugin; meta?: AppMeta; error?: string } {
  const [state, setState] = useState<{ plugin?: AppPlugin; meta?: AppMeta; error?: string }>({});
  useEffect(() => {
    getBackendSrv()
      .get<AppMeta>(`/api/plugins/${APP_ID}/settings`)
      .then(async (meta) => setState({ plugin: await importAppPlugin(meta), meta }))
      .catch((error: unknown) => setState({ error: String(error) }));
  }, []);
  return state;
}

/** `/a/<app id>/*`: the app's root page, with its routes relative to the app's base URL, as in Grafana. */
export function AppRootView() {
  const { plugin, meta, error } = useAppPlugin();
  if (error) {
    return <div data-testid="harness-load-error">{error}</div>;
  }
  if (!plugin?.root || !meta) {
    return <LoadingPlaceholder text="Loading app" />;
  }
  const Root = plugin.root;
  return (
    <Suspense fallback={<LoadingPlaceholder text="Loading page" />}>
      <Routes>
        <Route path="/*" element={<Root meta={plugin.meta!} basename={`/a/${APP_ID}`} onNavChanged={() => {}} query={{}} path={`/a/${APP_ID}`} />} />
      </Routes>
    </Suspense>
  );
}

/** `/plugins/<app id>`: the app's configuration page. */
export function AppConfigView() {
  const { plugin, error } = useAppPlugin();
  if (error) {
    return <div data-testid="harness-load-error">{error}</div>;
  }
  const page = plugin?.configPages?.[0];
  if (!plugin || !page) {
    return <LoadingPlaceholder text="Loading app" />;
  }
  const Body = page.body;
  return <Body plugin={plugin} query={{}} />;
}
