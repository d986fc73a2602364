import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';

import { harnessDatasource, startHarness, type HarnessProcess } from '../../testing/grafanaHarness';
import type { DataSource } from '../datasource';
import type { SimVizQuery } from '../types';
import { QueryEditor } from './QueryEditor';

let harness: HarnessProcess;
let datasource: DataSource;

beforeAll(async () => {
  harness = await startHarness();
  datasource = harnessDatasource(harness);
}, 60_000);

afterAll(() => harness?.stop());

function renderEditor(query: SimVizQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery };
}

describe('QueryEditor', () => {
  it('needs a simulation before variables can be chosen', () => {
    renderEditor({ refId: 'A', simulations: [], variables: [] });
    expect(screen.getByRole('combobox', { name: 'Variables' })).toBeDisabled();
    expect(screen.getByPlaceholderText('Choose a simulation first')).toBeInTheDocument();
  });

  it('shows the name of a saved simulation, fetched from the proxy by id', async () => {
    const page = await datasource.client.listSimulations({ search: 'RLCCircuit' });
    renderEditor({ refId: 'A', simulations: [page.items[0].id], variables: ['capacitor.v'] });
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Simulation' })).toHaveValue('RLCCircuit_step_underdamped_20261101_091500'));
    expect(screen.getByText('capacitor.v')).toBeInTheDocument();
  });

  // Searching and picking options needs the Combobox's virtualised list, which jsdom cannot lay
  // out: tests/browser/queryEditor.spec.ts covers it in Chromium against the built plugin.
});
