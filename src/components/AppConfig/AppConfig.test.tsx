import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { AppPluginMeta, PluginType } from '@grafana/data';

import type { AppSettings } from '../../constants';
import { startAppHarness } from '../../../tests/support/appHarness';
import type { HarnessProcess } from '../../../tests/support/grafanaHarness';
import AppConfig, { type AppConfigProps } from './AppConfig';

let harness: HarnessProcess;

beforeAll(async () => {
  harness = await startAppHarness();
}, 60_000);

afterAll(() => harness?.stop());

function props(jsonData: AppSettings): AppConfigProps {
  const meta = { id: 'simviz-simulation-app', name: 'SimViz', type: 'app' as PluginType, enabled: true, jsonData } as AppPluginMeta<AppSettings>;
  return { plugin: { meta } as AppConfigProps['plugin'], query: {} };
}

describe('AppConfig', () => {
  it('shows at once whether the configured datasource’s proxy answers, and links to its settings', async () => {
    render(<AppConfig {...props({ datasourceUid: 'simviz' })} />);
    expect(await screen.findByText(/Proxy \d+\.\d+\.\d+ answers with 22 simulations/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Datasource settings' })).toHaveAttribute('href', '/connections/datasources/edit/simviz');
  });

  it('reports a datasource whose proxy cannot be reached, and tests again on request', async () => {
    render(<AppConfig {...props({ datasourceUid: 'simviz-unreachable' })} />);
    // The client tries an unreachable proxy once more after about a second.
    expect(await screen.findByText('Not connected', undefined, { timeout: 5000 })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Test proxy' }));
    expect(await screen.findByText(/the proxy cannot be reached/, undefined, { timeout: 5000 })).toBeInTheDocument();
  });

  it('defaults to the provisioned datasource uid', async () => {
    render(<AppConfig {...props({})} />);
    expect(await screen.findByText(/answers with 22 simulations/)).toBeInTheDocument();
  });
});
