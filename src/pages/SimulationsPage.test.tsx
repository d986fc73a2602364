import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';

import { startAppHarness } from '../../tests/support/appHarness';
import type { HarnessProcess } from '../../tests/support/grafanaHarness';
import { SimulationsPage } from './SimulationsPage';

let harness: HarnessProcess;

beforeAll(async () => {
  harness = await startAppHarness();
}, 60_000);

afterAll(() => harness?.stop());

function renderPage() {
  render(
    <MemoryRouter>
      <SimulationsPage datasourceUid="simviz" />
    </MemoryRouter>
  );
}

describe('SimulationsPage', () => {
  it('lists the proxy’s runs with their status, and a failed file with its reason', async () => {
    renderPage();
    expect(await screen.findByText('22 simulations')).toBeInTheDocument();
    const row = screen.getByRole('link', { name: 'dymola_dslin_pid' }).closest('tr')!;
    expect(within(row).getByText(/linearization result/)).toBeInTheDocument();
    expect(within(row).getByText('error')).toBeInTheDocument();
  });

  it('filters by status and folder on the proxy', async () => {
    renderPage();
    await screen.findByText('22 simulations');
    fireEvent.click(screen.getByRole('radio', { name: 'Error' }));
    expect(await screen.findByText('2 simulations')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('radio', { name: 'All' }));
    fireEvent.change(screen.getByRole('textbox', { name: /^Folder/ }), { target: { value: 'examples/mechanics' } });
    await waitFor(() => expect(screen.getAllByRole('link', { name: /^BouncingBall_drop/ })).toHaveLength(2));
    expect(screen.getByText('2 simulations')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'dymola_dslin_pid' })).not.toBeInTheDocument();
  });

  it('says what went wrong when the datasource cannot reach its proxy', async () => {
    render(
      <MemoryRouter>
        <SimulationsPage datasourceUid="simviz-unreachable" />
      </MemoryRouter>
    );
    // The client tries an unreachable proxy once more after about a second.
    expect(await screen.findByText('The SimViz proxy could not list the simulations', undefined, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByText(/the proxy cannot be reached/)).toBeInTheDocument();
  });
});
