import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { harnessDatasource, startHarness, type HarnessProcess } from '../../../tests/support/grafanaHarness';
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
    expect(await screen.findByText('RLCCircuit_step_underdamped_20261101_091500')).toBeInTheDocument();
    expect(screen.getByText('capacitor.v')).toBeInTheDocument();
  });

  it('counts the variables a glob matches across the selected runs, live from the proxy', async () => {
    const ids = (await datasource.client.listSimulations({ search: 'SpringDamper_sweep' })).items.map((s) => s.id);
    const expected = (await datasource.client.listSharedVariables(ids, { glob: 'mass.*', limit: 0 })).total;
    expect(expected).toBeGreaterThan(1);
    renderEditor({ refId: 'A', simulations: ids, variables: ['mass.*'] });
    expect(await screen.findByText(`mass.* matches ${expected} variables`)).toBeInTheDocument();
  });

  it('browses the selected runs’ variables as a component tree: a leaf adds a variable, "all" adds a glob', async () => {
    const ids = (await datasource.client.listSimulations({ search: 'SpringDamper_sweep_d0p5' })).items.map((s) => s.id);
    const { onChange } = renderEditor({ refId: 'A', simulations: ids, variables: ['spring.f'] });
    fireEvent.click(screen.getByRole('button', { name: /Browse/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Expand mass' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Add mass.s' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ variables: ['spring.f', 'mass.s'] }));
    fireEvent.click(screen.getByRole('button', { name: 'Add all below mass' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ variables: ['spring.f', 'mass.*'] }));
  });

  it('shows the options of each query type: series options for time series, filter and "differs only" for parameters', async () => {
    const { rerender } = render(<QueryEditor datasource={datasource} query={{ refId: 'A', simulations: ['a'], variables: [] }} onChange={jest.fn()} onRunQuery={jest.fn()} />);
    expect(screen.getByLabelText('Legend')).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Simulation time' })).toBeChecked();
    expect(screen.queryByLabelText('Differs only')).not.toBeInTheDocument();
    rerender(<QueryEditor datasource={datasource} query={{ refId: 'A', queryType: 'parameters', simulations: ['a'], variables: [] }} onChange={jest.fn()} onRunQuery={jest.fn()} />);
    expect(screen.queryByLabelText('Legend')).not.toBeInTheDocument();
    expect(screen.queryByRole('combobox', { name: 'Variables' })).not.toBeInTheDocument();
    // "Differs only" needs two or more runs.
    expect(screen.getByLabelText('Differs only')).toBeDisabled();
  });

  it('changes and runs the query when an option changes', () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', simulations: ['a'], variables: ['x'] });
    fireEvent.click(screen.getByRole('radio', { name: 'Seconds' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ timeAxis: 'numeric', variables: ['x'] }));
    fireEvent.click(screen.getByLabelText('Display units'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ displayUnits: true }));
    const legend = screen.getByLabelText('Legend');
    fireEvent.change(legend, { target: { value: '{{variable}} [{{unit}}]' } });
    fireEvent.blur(legend);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ legend: '{{variable}} [{{unit}}]' }));
    expect(onRunQuery).toHaveBeenCalledTimes(3);
  });

  // Searching and picking options needs the Combobox's virtualised list, which jsdom cannot lay
  // out: tests/browser/queryEditor.spec.ts covers it in Chromium against the built plugin.
});
