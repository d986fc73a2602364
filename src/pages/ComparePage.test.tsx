import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';

import { proxyClientFor } from '../api/proxyForDatasource';
import { startAppHarness } from '../../tests/support/appHarness';
import type { HarnessProcess } from '../../tests/support/grafanaHarness';
import { ComparePage } from './ComparePage';

let harness: HarnessProcess;

beforeAll(async () => {
  harness = await startAppHarness();
}, 60_000);

afterAll(() => harness?.stop());

async function sweepIds(): Promise<string[]> {
  return (await proxyClientFor('simviz').listSimulations({ search: 'SpringDamper_sweep', sort: 'name' })).items.map((s) => s.id);
}

function renderPage(search: string) {
  render(
    <MemoryRouter initialEntries={[`/compare?${search}`]}>
      <ComparePage datasourceUid="simviz" />
    </MemoryRouter>
  );
}

describe('ComparePage', () => {
  it('asks for a second run before comparing', () => {
    renderPage('run=abc');
    expect(screen.getByText('Pick two or more runs to compare them.')).toBeInTheDocument();
  });

  it('lists only the parameters that differ, and all of them on request', async () => {
    const ids = await sweepIds();
    renderPage(ids.map((id) => `run=${id}`).join('&'));
    const parameters = screen.getByRole('region', { name: 'Parameters' });
    const table = await within(parameters).findByTestId('panel-table');
    expect(table).toHaveAttribute('data-rows', '1');
    expect(within(table).getByText('damper.d')).toBeInTheDocument();
    fireEvent.click(within(parameters).getByRole('switch'));
    await waitFor(() => expect(Number(within(parameters).getByTestId('panel-table').getAttribute('data-rows'))).toBeGreaterThan(1));
    expect(within(parameters).getByText('Parameters', { selector: 'figcaption' })).toBeInTheDocument();
  });

  it('overlays the chosen variable of every run, named by run', async () => {
    const ids = await sweepIds();
    renderPage([...ids.slice(0, 2).map((id) => `run=${id}`), 'variable=mass.v'].join('&'));
    const frames = await screen.findAllByTestId('panel-series');
    expect(frames.map((f) => f.getAttribute('data-name'))).toEqual([
      expect.stringMatching(/^SpringDamper_sweep_d0p5\S* mass\.v$/),
      expect.stringMatching(/^SpringDamper_sweep_d1\S* mass\.v$/),
    ]);
    expect(screen.getByRole('link', { name: 'Open the Compare runs dashboard' }).getAttribute('href')).toContain(`var-simulation=${ids[0]}&var-simulation=${ids[1]}&var-variable=mass.v`);
  });
});
