import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import type { DataSource } from '../datasource';
import type { SimVizVariableQuery } from '../types';
import { VariableQueryEditor } from './VariableQueryEditor';

function renderEditor(query: Partial<SimVizVariableQuery>) {
  const onChange = jest.fn();
  const props = { datasource: {} as DataSource, query: { refId: 'v', ...query } as SimVizVariableQuery, onChange, onRunQuery: jest.fn() };
  render(<VariableQueryEditor {...(props as unknown as React.ComponentProps<typeof VariableQueryEditor>)} />);
  return onChange;
}

describe('VariableQueryEditor', () => {
  it('lists simulations by default, filtered by search, folder and tag', () => {
    const onChange = renderEditor({});
    expect(screen.getByRole('radio', { name: 'Simulations' })).toBeChecked();
    expect(screen.queryByLabelText('Of simulations')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Folder'), { target: { value: 'sweeps/2026' } });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ kind: 'simulations', folder: 'sweeps/2026' }));
    fireEvent.change(screen.getByLabelText('Tag'), { target: { value: 'baseline' } });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ tag: 'baseline' }));
  });

  it('lists variables of the given runs, split on commas, with a glob', () => {
    const onChange = renderEditor({ kind: 'variables' });
    expect(screen.queryByLabelText('Folder')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Of simulations'), { target: { value: '$simulation, abc ,' } });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ simulations: ['$simulation', 'abc'] }));
    fireEvent.change(screen.getByLabelText('Glob'), { target: { value: 'pipe[*].T' } });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ glob: 'pipe[*].T' }));
  });

  it('lists variables of any kind, only trajectories or only parameters', () => {
    const onChange = renderEditor({ kind: 'variables', simulations: ['$runs'] });
    expect(screen.getByRole('radio', { name: 'Any' })).toBeChecked();
    fireEvent.click(screen.getByRole('radio', { name: 'Parameters' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ kind: 'variables', variableKind: 'parameter' }));
  });

  it('goes back to variables of any kind without storing a kind', () => {
    const onChange = renderEditor({ kind: 'variables', simulations: ['$runs'], variableKind: 'parameter' });
    expect(screen.getByRole('radio', { name: 'Parameters' })).toBeChecked();
    fireEvent.click(screen.getByRole('radio', { name: 'Any' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ variableKind: undefined }));
  });

  it('lists one parameter’s values, and clears empty fields instead of storing empty text', () => {
    const onChange = renderEditor({ kind: 'parameterValues', parameter: 'damper.d' });
    expect(screen.getByLabelText('Parameter')).toHaveValue('damper.d');
    fireEvent.change(screen.getByLabelText('Parameter'), { target: { value: '' } });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ kind: 'parameterValues', parameter: undefined }));
    fireEvent.click(screen.getByRole('radio', { name: 'Variables' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ kind: 'variables' }));
  });
});
