import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { harnessDatasource, newestRunName, startHarness, type HarnessProcess } from '../../../tests/support/grafanaHarness';
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
    const page = await datasource.client.listSimulations({ search: 'RLCCircuit underdamped' });
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

  it('turns Live on for a time series, and says when none of the chosen runs is being written', async () => {
    const page = await datasource.client.listSimulations({ search: 'RLCCircuit underdamped' });
    const query: SimVizQuery = { refId: 'A', queryType: 'timeseries', simulations: [page.items[0].id], variables: ['capacitor.v'] };
    const { onChange, onRunQuery } = renderEditor(query);
    fireEvent.click(screen.getByLabelText('Live'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ live: true }));
    expect(onRunQuery).toHaveBeenCalled();
    renderEditor({ ...query, live: true });
    expect(await screen.findByText(/None of the chosen runs is being written now/)).toBeInTheDocument();
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

  it('offers "Newest run matching" instead of listed simulations, with search, folder and tag', async () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', simulations: [], variables: [] });
    expect(screen.getByRole('radio', { name: 'Listed simulations' })).toBeChecked();
    fireEvent.click(screen.getByRole('radio', { name: 'Newest run matching' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ newest: {} }));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows which run "newest" picks now, and offers that run’s variables; the simulations picker is not needed', async () => {
    const query: SimVizQuery = { refId: 'A', simulations: [], variables: [], newest: { search: 'SpringDamper_sweep' } };
    const { onChange } = renderEditor(query);
    expect(screen.queryByRole('combobox', { name: 'Simulations' })).not.toBeInTheDocument();
    const newest = await newestRunName(harness, 'SpringDamper_sweep');
    expect(await within(screen.getByTestId('simviz-newest-run')).findByText(`Now: ${newest}`)).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Variables' })).toBeEnabled();
    const folder = screen.getByLabelText('Folder');
    fireEvent.change(folder, { target: { value: ' sweeps ' } });
    fireEvent.blur(folder);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ newest: { search: 'SpringDamper_sweep', folder: 'sweeps' } }));
  });

  it('says when no finished run matches', async () => {
    renderEditor({ refId: 'A', simulations: [], variables: [], newest: { search: 'no-such-run-anywhere' } });
    expect(await within(screen.getByTestId('simviz-newest-run')).findByText('Now: no finished run matches')).toBeInTheDocument();
  });

  it('reads the dashboard range by default, or the whole run, or its last seconds', () => {
    const { onChange } = renderEditor({ refId: 'A', simulations: ['a'], variables: ['x'] });
    expect(screen.getByRole('radio', { name: 'Dashboard range' })).toBeChecked();
    expect(screen.queryByLabelText('Seconds before stop')).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('radio', { name: 'Whole run' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ timeMode: 'wholeRun', lastSeconds: undefined }));
    fireEvent.click(screen.getByRole('radio', { name: 'Last seconds' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ timeMode: 'lastSeconds', lastSeconds: 60 }));
  });

  it('keeps a positive number of last seconds, and ignores anything else', () => {
    const { onChange } = renderEditor({ refId: 'A', simulations: ['a'], variables: ['x'], timeMode: 'lastSeconds', lastSeconds: 60 });
    expect(screen.getByRole('radio', { name: 'Last seconds' })).toBeChecked();
    const seconds = screen.getByLabelText('Seconds before stop');
    expect(seconds).toHaveValue(60);
    fireEvent.change(seconds, { target: { value: '-5' } });
    fireEvent.blur(seconds);
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.change(seconds, { target: { value: '2.5' } });
    fireEvent.blur(seconds);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ timeMode: 'lastSeconds', lastSeconds: 2.5 }));
  });

  it('offers the time options for time series, tables and events only', () => {
    const { rerender } = render(<QueryEditor datasource={datasource} query={{ refId: 'A', queryType: 'events', simulations: ['a'], variables: [] }} onChange={jest.fn()} onRunQuery={jest.fn()} />);
    expect(screen.getByRole('radio', { name: 'Whole run' })).toBeInTheDocument();
    rerender(<QueryEditor datasource={datasource} query={{ refId: 'A', queryType: 'parameters', simulations: ['a'], variables: [] }} onChange={jest.fn()} onRunQuery={jest.fn()} />);
    expect(screen.queryByRole('radio', { name: 'Whole run' })).not.toBeInTheDocument();
    rerender(<QueryEditor datasource={datasource} query={{ refId: 'A', queryType: 'stats', simulations: [], variables: [] }} onChange={jest.fn()} onRunQuery={jest.fn()} />);
    expect(screen.queryByRole('radio', { name: 'Whole run' })).not.toBeInTheDocument();
    expect(screen.queryByRole('radio', { name: 'Newest run matching' })).not.toBeInTheDocument();
  });

  // Searching and picking options needs the Combobox's virtualised list, which jsdom cannot lay
  // out: tests/browser/queryEditor.spec.ts covers it in Chromium against the built plugin.
});
