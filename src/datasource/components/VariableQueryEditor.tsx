import React from 'react';
import { InlineField, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import type { DataSourceApi, QueryEditorProps } from '@grafana/data';

import { DEFAULT_VARIABLE_QUERY, type SimVizOptions, type SimVizQuery, type SimVizVariableQuery } from '../types';

// Typed on the base class, not on DataSource: the editor uses none of its members, and the datasource imports it.
type Props = QueryEditorProps<DataSourceApi<SimVizQuery, SimVizOptions>, SimVizQuery, SimVizOptions, SimVizVariableQuery>;
type Kind = SimVizVariableQuery['kind'];

const KINDS: Array<{ label: string; value: Kind; description: string }> = [
  { label: 'Simulations', value: 'simulations', description: 'Result files (text: name, value: id)' },
  { label: 'Variables', value: 'variables', description: 'Variable names of the chosen simulations' },
  { label: 'Parameter values', value: 'parameterValues', description: 'The values one parameter takes across runs, e.g. for a sweep' },
];

type VariableKindChoice = 'any' | NonNullable<SimVizVariableQuery['variableKind']>;
const VARIABLE_KINDS: Array<{ label: string; value: VariableKindChoice; description: string }> = [
  { label: 'Any', value: 'any', description: 'Trajectories and parameters' },
  { label: 'Trajectories', value: 'trajectory', description: 'Outputs and states over time' },
  { label: 'Parameters', value: 'parameter', description: 'Parameters, e.g. for a sweep' },
];

interface TextFieldProps {
  label: string;
  tooltip: string;
  id: string;
  value: string | undefined;
  placeholder: string;
  onChange: (value: string | undefined) => void;
}

function TextField({ label, tooltip, id, value, placeholder, onChange }: TextFieldProps) {
  return (
    <InlineField label={label} labelWidth={18} tooltip={tooltip} htmlFor={id}>
      <Input id={id} width={40} value={value ?? ''} placeholder={placeholder} onChange={(event) => onChange(event.currentTarget.value || undefined)} />
    </InlineField>
  );
}

function splitList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Which runs (simulations), which variables, or which parameter's values the template variable lists. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const current = { ...DEFAULT_VARIABLE_QUERY, ...query };
  const set = (next: Partial<SimVizVariableQuery>) => onChange({ ...current, ...next });
  const kind = current.kind;
  const runs = (
    <TextField
      label="Of simulations"
      tooltip="Simulation ids or a template variable such as $simulation; separate several with commas"
      id="simviz-variable-query-simulations"
      value={(current.simulations ?? []).join(', ')}
      placeholder={kind === 'parameterValues' ? 'all runs matching the filters below' : '$simulation'}
      onChange={(text) => set({ simulations: splitList(text) })}
    />
  );
  return (
    <Stack direction="column" gap={1}>
      <InlineField label="List" labelWidth={18}>
        <RadioButtonGroup<Kind> options={KINDS} value={kind} onChange={(next) => set({ kind: next })} />
      </InlineField>
      {kind === 'parameterValues' && (
        <TextField label="Parameter" tooltip="The parameter's full name" id="simviz-variable-query-parameter" value={current.parameter} placeholder="damper.d" onChange={(parameter) => set({ parameter })} />
      )}
      {kind !== 'simulations' && runs}
      {kind === 'variables' && (
        <InlineField label="Of kind" labelWidth={18}>
          <RadioButtonGroup<VariableKindChoice>
            options={VARIABLE_KINDS}
            value={current.variableKind ?? 'any'}
            onChange={(choice) => set({ variableKind: choice === 'any' ? undefined : choice })}
          />
        </InlineField>
      )}
      {kind === 'variables' && (
        <TextField label="Glob" tooltip="Only names matching this pattern (* and ?)" id="simviz-variable-query-glob" value={current.glob} placeholder="pipe[*].T" onChange={(glob) => set({ glob })} />
      )}
      <TextField
        label="Search"
        tooltip={kind === 'variables' ? 'Words in the variable name or description' : 'Words in the run name, folder, model or tags'}
        id="simviz-variable-query-search"
        value={current.search}
        placeholder="optional"
        onChange={(search) => set({ search })}
      />
      {kind !== 'variables' && (
        <>
          <TextField label="Folder" tooltip="Runs in this folder or below it" id="simviz-variable-query-folder" value={current.folder} placeholder="optional" onChange={(folder) => set({ folder })} />
          <TextField label="Tag" tooltip="Runs with this tag (from their sidecar .json file)" id="simviz-variable-query-tag" value={current.tag} placeholder="optional" onChange={(tag) => set({ tag })} />
        </>
      )}
    </Stack>
  );
}
