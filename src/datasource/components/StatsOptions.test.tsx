import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import type { DataSource } from '../datasource';
import type { SimVizQuery } from '../types';
import { QueryEditor } from './QueryEditor';

// A stats query never reaches for the datasource's client while editing.
const datasource = { defaultTimeAxis: 'simulation' } as DataSource;

function renderEditor(query: SimVizQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery };
}

describe('stats queries in the query editor', () => {
  it('offers the stats query type, which asks for no simulations or variables', () => {
    renderEditor({ refId: 'A', queryType: 'stats', simulations: [], variables: [] });
    expect(screen.getByRole('radio', { name: 'Proxy stats' })).toBeChecked();
    expect(screen.queryByRole('combobox', { name: 'Simulations' })).not.toBeInTheDocument();
    expect(screen.queryByRole('combobox', { name: 'Variables' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Legend')).not.toBeInTheDocument();
    // The summary is the default table.
    expect(screen.getByRole('radio', { name: 'Summary' })).toBeChecked();
  });

  it('changes the table and runs the query', () => {
    const { onChange, onRunQuery } = renderEditor({ refId: 'A', queryType: 'stats', simulations: [], variables: [], statsTable: 'summary' });
    fireEvent.click(screen.getByRole('radio', { name: 'Timings' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ queryType: 'stats', statsTable: 'routes' }));
    fireEvent.click(screen.getByRole('radio', { name: 'Failures' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ statsTable: 'failures' }));
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('switches a query to stats from the query type field', () => {
    const { onChange } = renderEditor({ refId: 'A', queryType: 'parameters', simulations: [], variables: [] });
    fireEvent.click(screen.getByRole('radio', { name: 'Proxy stats' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ queryType: 'stats' }));
  });
});
