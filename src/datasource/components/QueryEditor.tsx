import React from 'react';
import { InlineField, Stack } from '@grafana/ui';
import type { QueryEditorProps } from '@grafana/data';

import type { DataSource } from '../datasource';
import type { SimVizOptions, SimVizQuery } from '../types';
import { SimulationSelect } from './SimulationSelect';
import { VariableSelect } from './VariableSelect';

type Props = QueryEditorProps<DataSource, SimVizQuery, SimVizOptions>;

export function QueryEditor({ datasource, query, onChange, onRunQuery }: Props) {
  const simulation = query.simulations?.[0];
  const variables = query.variables ?? [];

  const update = (next: Partial<SimVizQuery>) => {
    onChange({ ...query, ...next });
    onRunQuery();
  };

  return (
    <Stack direction="row" gap={1} wrap="wrap">
      <InlineField label="Simulation" labelWidth={14} tooltip="A result file found by the SimViz proxy" htmlFor="simviz-query-simulation">
        <SimulationSelect
          client={datasource.client}
          value={simulation}
          onChange={(id) => update({ simulations: [id] })}
        />
      </InlineField>
      <InlineField label="Variables" labelWidth={14} tooltip="Search by name or description" htmlFor="simviz-query-variables" grow>
        <VariableSelect
          client={datasource.client}
          simulation={simulation}
          value={variables}
          onChange={(names) => update({ variables: names })}
        />
      </InlineField>
    </Stack>
  );
}
