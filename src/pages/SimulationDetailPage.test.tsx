import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';

import { proxyClientFor } from '../api/proxyForDatasource';
import { startAppHarness } from '../../tests/support/appHarness';
import type { HarnessProcess } from '../../tests/support/grafanaHarness';
import { SimulationDetailPage } from './SimulationDetailPage';

let harness: HarnessProcess;

beforeAll(async () => {
  harness = await startAppHarness();
}, 60_000);

afterAll(() => harness?.stop());

async function idOf(name: string): Promise<string> {
  return (await proxyClientFor('simviz').listSimulations({ search: name })).items[0].id;
}

function renderPage(id: string, datasourceUid = 'simviz') {
  render(
    <MemoryRouter initialEntries={[`/simulations/${id}`]}>
      <Routes>
        <Route path="/simulations/:id" element={<SimulationDetailPage datasourceUid={datasourceUid} />} />
      </Routes>
    </MemoryRouter>
  );
}

describe('SimulationDetailPage', () => {
  it('shows the run’s metadata and searches its parameters', async () => {
    renderPage(await idOf('RLCCircuit underdamped'));
    const metadata = await screen.findByLabelText('Simulation metadata');
    expect(within(metadata).getByText('RLCCircuit')).toBeInTheDocument();
    expect(within(metadata).getByText('underdamped')).toBeInTheDocument();
    const parameters = screen.getByRole('region', { name: 'Parameters' });
    fireEvent.change(within(parameters).getByPlaceholderText('Search parameters by name or description'), { target: { value: 'capacitance' } });
    expect(await within(parameters).findByText('1 parameters')).toBeInTheDocument();
    expect(within(parameters).getByText('capacitor.C')).toBeInTheDocument();
  });

  it('plots a variable picked in the component tree, and Explore carries it', async () => {
    const id = await idOf('BouncingBall_drop_e0p8');
    renderPage(id);
    const browser = await screen.findByLabelText('Variable browser');
    fireEvent.click(await within(browser).findByRole('button', { name: 'Expand ball' }));
    fireEvent.click(within(browser).getByRole('button', { name: 'Add ball.v' }));
    const frame = await screen.findByTestId('panel-series');
    expect(frame).toHaveAttribute('data-name', 'ball.v');
    expect(Number(frame.getAttribute('data-points'))).toBeGreaterThan(100);
    const explore = new URL(screen.getByRole('link', { name: 'Open in Explore' }).getAttribute('href')!, 'http://grafana');
    const pane = Object.values(JSON.parse(explore.searchParams.get('panes')!) as Record<string, { queries: Array<{ variables: string[] }> }>)[0];
    expect(pane.queries[0].variables).toEqual(['ball.v']);
  });

  it('explains an unknown id instead of failing', async () => {
    renderPage('no-such-run');
    expect(await screen.findByText('This simulation cannot be shown')).toBeInTheDocument();
  });

  it('shows why a run cannot be read, without the plot and parameters', async () => {
    renderPage(await idOf('dymola_dslin_pid'));
    expect(await screen.findByText(/dymola_dslin_pid cannot be read/)).toBeInTheDocument();
    expect(screen.getAllByText(/linearization result/).length).toBeGreaterThan(0);
    expect(screen.queryByRole('region', { name: 'Parameters' })).not.toBeInTheDocument();
  });

  describe('references', () => {
    it('links a run with a reference to the regression dashboard, and offers no writes to a read-only key', async () => {
      const id = await idOf('RLCCircuit nightly');
      renderPage(id);
      const compare = await screen.findByRole('link', { name: 'Compare with reference' });
      expect(compare.getAttribute('href')).toMatch(new RegExp(`^/d/simviz-regression\\?var-datasource=simviz&var-filter=&var-run=${id}&var-reference=&from=0&to=\\d+$`));
      // The key of this datasource may only read: the session says so before any button shows.
      await screen.findByText('open the reference run');
      expect(screen.queryByRole('button', { name: 'Set as reference for…' })).not.toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Remove reference' })).not.toBeInTheDocument();
    });

    it('removes a reference through the API where the key may write, and the page shows it gone', async () => {
      const folder = proxyClientFor('simviz-folder');
      const [nightly] = (await folder.listSimulations({ search: 'RLCCircuit nightly' })).items;
      const reference = nightly.referenceId!;
      renderPage(nightly.id, 'simviz-folder');
      expect(await screen.findByRole('button', { name: 'Set as reference for…' })).toBeInTheDocument();
      fireEvent.click(await screen.findByRole('button', { name: 'Remove reference' }));
      await waitFor(() => expect(screen.queryByRole('link', { name: 'Compare with reference' })).not.toBeInTheDocument());
      expect((await folder.getSimulation(nightly.id)).referenceId).toBeNull();
      fireEvent.click(screen.getByRole('button', { name: 'Set as reference for…' }));
      expect(await screen.findByRole('combobox', { name: 'Runs' })).toBeInTheDocument();
      // Put back as it was, through the same route.
      expect((await folder.setReference(nightly.id, reference)).referenceId).toBe(reference);
    });
  });
});
