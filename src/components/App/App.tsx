import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';

import { DEFAULT_DATASOURCE_UID, ROUTES, type AppSettings } from '../../constants';
import { SimulationsPage } from '../../pages/SimulationsPage';

function App({ meta }: AppRootProps<AppSettings>) {
  const datasourceUid = meta.jsonData?.datasourceUid || DEFAULT_DATASOURCE_UID;
  return (
    <Routes>
      <Route path={ROUTES.Simulations} element={<SimulationsPage datasourceUid={datasourceUid} />} />
      <Route path="*" element={<Navigate to={ROUTES.Simulations} replace />} />
    </Routes>
  );
}

export default App;
