import React from 'react';
import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';

import { startAppHarness } from '../../tests/support/appHarness';
import type { HarnessProcess } from '../../tests/support/grafanaHarness';
import { UploadPage } from './UploadPage';

let harness: HarnessProcess;

beforeAll(async () => {
  harness = await startAppHarness();
}, 60_000);

afterAll(() => harness?.stop());

function renderPage(datasourceUid: string) {
  const { container } = render(
    <MemoryRouter>
      <UploadPage datasourceUid={datasourceUid} />
    </MemoryRouter>
  );
  return container;
}

describe('UploadPage', () => {
  it('offers the drop zone when the datasource’s key may write to a proxy with an upload folder', async () => {
    const container = renderPage('simviz-uploads');
    expect(await screen.findByText('Drop result files here or click to choose them')).toBeInTheDocument();
    expect(container.querySelector('input[type=file]')).toHaveAttribute('accept', 'application/octet-stream,.mat,.h5,.hdf5,.sdf,text/csv,.csv');
  });

  it('says that a read-only key cannot upload, and links to the datasource settings', async () => {
    const container = renderPage('simviz-uploads-read-only');
    expect(await screen.findByText('The API key of this datasource may only read')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Datasource settings' })).toHaveAttribute('href', '/connections/datasources/edit/simviz-uploads-read-only');
    expect(container.querySelector('input[type=file]')).toBeNull();
  });

  it('says that the proxy has no upload folder', async () => {
    renderPage('simviz');
    expect(await screen.findByText('This SimViz proxy does not accept uploads')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Datasource settings' })).not.toBeInTheDocument();
  });

  it('says when the proxy cannot be asked', async () => {
    renderPage('simviz-unreachable');
    // The client tries an unreachable proxy once more after about a second.
    expect(await screen.findByText('The SimViz proxy cannot be asked whether uploads are possible', undefined, { timeout: 5000 })).toBeInTheDocument();
  });
});
