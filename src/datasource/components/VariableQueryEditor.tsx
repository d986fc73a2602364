import React from 'react';
import { InlineField, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import type { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../datasource';
import { DEFAULT_VARIABLE_QUERY, type SimVizOptions, type SimVizQuery, type SimVizVariableQuery } from '../types';

type Props = QueryEditorProps<DataSource, SimVizQuery, SimVizOptions, SimVizVariableQuery>;

const KINDS: Array<{ label: string; value: SimVizVariableQuery['kind']; description: string }> = [
  { label: 'Simulations', value: 'simulations', description: 'Result files (text: name, value: id)' },
  { label: 'Variables', value: 'variables', description: 'Variable names of the chosen simulations' },
];

export function VariableQueryEditor({ query, onChange }: Props) {
  const current = { ...DEFAULT_VARIABLE_QUERY, ...query };
  return (
    <Stack direction="column" gap={1}>
      <InlineField label="List" labelWidth={16}>
        <RadioButtonGroup
          options={KINDS}
          value={current.kind}
          onChange={(kind) => onChange({ ...current, kind })}
        />
      </InlineField>
      {current.kind === 'variables' && (
        <InlineField label="Of simulations" labelWidth={16} tooltip="Simulation ids or a template variable such as $simulation">
          <Input
            id="simviz-variable-query-simulations"
            width={40}
            value={(current.simulations ?? []).join(', ')}
            placeholder="$simulation"
            onChange={(event) =>
              onChange({ ...current, simulations: event.currentTarget.value.split(',').map((s) => s.trim()).filter(Boolean) })
            }
          />
        </InlineField>
      )}
      <InlineField label="Search" labelWidth={16} tooltip="Only list entries whose name (or description) contains this text">
        <Input
          id="simviz-variable-query-search"
          width={40}
          value={current.search ?? ''}
          placeholder="optional"
          onChange={(event) => onChange({ ...current, search: event.currentTarget.value })}
        />
      </InlineField>
    </Stack>
  );
}
