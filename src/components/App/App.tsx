import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';

import { DEFAULT_DATASOURCE_UID, ROUTES, type AppSettings } from '../../constants';
import { ComparePage } from '../../pages/ComparePage';
import { SimulationDetailPage } from '../../pages/SimulationDetailPage';
import { SimulationsPage } from '../../pages/SimulationsPage';
import { RegressionPage } from '../../pages/RegressionPage';
import { UploadPage } from '../../pages/UploadPage';

function App({ meta }: AppRootProps<AppSettings>) {
  const datasourceUid = meta.jsonData?.datasourceUid || DEFAULT_DATASOURCE_UID;
  return (
    <Routes>
      <Route path={ROUTES.Simulations} element={<SimulationsPage datasourceUid={datasourceUid} />} />
      <Route path={ROUTES.Simulation} element={<SimulationDetailPage datasourceUid={datasourceUid} />} />
      <Route path={ROUTES.Compare} element={<ComparePage datasourceUid={datasourceUid} />} />
      <Route path={ROUTES.Regression} element={<RegressionPage datasourceUid={datasourceUid} />} />
      <Route path={ROUTES.Upload} element={<UploadPage datasourceUid={datasourceUid} />} />
      <Route path="*" element={<Navigate to={ROUTES.Simulations} replace />} />
    </Routes>
  );
}

export default App;
