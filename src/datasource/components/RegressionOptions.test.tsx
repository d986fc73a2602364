import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import type { DataSource } from '../datasource';
import type { SimVizQuery } from '../types';
import { QueryEditor } from './QueryEditor';

// The batch views list no runs or variables while they are edited, so no client is reached for.
const datasource = { defaultTimeAxis: 'simulation' } as DataSource;

function renderEditor(query: SimVizQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery };
}

const batch: SimVizQuery = { refId: 'A', queryType: 'regression', regressionView: 'runs', simulations: [], variables: [] };

describe('regression queries in the query editor', () => {
  it('offers the views; the batch views ask for a selection of runs instead of simulations', () => {
    renderEditor(batch);
    expect(screen.getByRole('radio', { name: 'Regression' })).toBeChecked();
    expect(screen.getByRole('radio', { name: 'By run' })).toBeChecked();
    expect(screen.queryByRole('combobox', { name: 'Simulations' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('Folder')).toBeInTheDocument();
    expect(screen.getByLabelText('Modified within (h)')).toBeInTheDocument();
    // The reference comes from each run's sidecar in a batch.
    expect(screen.queryByLabelText('Reference')).not.toBeInTheDocument();
  });

  it('keeps typed tolerances as numbers, and drops what is not one', () => {
    const { onChange, onRunQuery } = renderEditor(batch);
    const relative = screen.getByLabelText('Relative');
    fireEvent.change(relative, { target: { value: '0.01' } });
    fireEvent.blur(relative);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ regressionTolerances: { relative: 0.01 } }));
    const time = screen.getByLabelText('Time (s)');
    fireEvent.change(time, { target: { value: 'soon' } });
    fireEvent.blur(time);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ regressionTolerances: { time: undefined } }));
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('switches the view, relative base and the "only failing" filter', () => {
    const { onChange } = renderEditor(batch);
    fireEvent.click(screen.getByRole('radio', { name: 'Alert status' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ regressionView: 'runStatus' }));
    fireEvent.click(screen.getByRole('radio', { name: 'Value' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ regressionTolerances: { relativeTo: 'value' } }));
    fireEvent.click(screen.getByLabelText('Only failing'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ onlyFailing: true }));
  });
});
