import React, { useState } from 'react';
import { InlineField, InlineSwitch, Input, RadioButtonGroup, Stack } from '@grafana/ui';

import { DEFAULT_LEGEND, LEGEND_KEYS } from '../../backend/query/legend';
import type { SimVizQuery, TimeAxis } from '../types';

interface Props {
  query: SimVizQuery;
  defaultTimeAxis: TimeAxis;
  /** Changes the query and runs it. */
  onChange: (next: Partial<SimVizQuery>) => void;
}

const AXES: Array<{ value: TimeAxis; label: string; description: string }> = [
  { value: 'simulation', label: 'Simulation time', description: 't = 0 at the epoch: runs overlay aligned at their start (use UTC and a range from 1970-01-01)' },
  { value: 'runStart', label: 'Run start', description: 'Each run at its start time (from its name, else the file time)' },
  { value: 'numeric', label: 'Seconds', description: 'A number field in seconds, for the XY chart' },
];

interface CommitInputProps {
  id: string;
  value: string;
  placeholder: string;
  width: number;
  onCommit: (value: string) => void;
}

/** A text input that reports its value when it loses focus or on Enter, not on every key. */
export function CommitInput(props: CommitInputProps) {
  // A new value from outside (e.g. a reloaded query) starts a fresh edit.
  return <EditedInput key={props.value} {...props} />;
}

function EditedInput({ id, value, placeholder, width, onCommit }: CommitInputProps) {
  const [text, setText] = useState(value);
  const commit = () => text !== value && onCommit(text);
  return (
    <Input
      id={id}
      value={text}
      placeholder={placeholder}
      width={width}
      onChange={(event) => setText(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => event.key === 'Enter' && commit()}
    />
  );
}

function parseMaxPoints(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() && Number.isInteger(value) && value > 0 ? value : undefined;
}

function TimeAxisField({ query, defaultTimeAxis, onChange }: Props) {
  return (
    <InlineField label="Time axis" labelWidth={14}>
      <RadioButtonGroup<TimeAxis> options={AXES} value={query.timeAxis ?? defaultTimeAxis} onChange={(timeAxis) => onChange({ timeAxis })} />
    </InlineField>
  );
}

/** Legend, time axis, display units and max points of a time series or raw table query. */
export function SeriesOptions(props: Props) {
  const { query, onChange } = props;
  const axis = <TimeAxisField {...props} />;
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      <InlineField label="Legend" labelWidth={14} tooltip={`Series names; placeholders: ${LEGEND_KEYS.map((k) => `{{${k}}}`).join(' ')}`} htmlFor="simviz-query-legend">
        <CommitInput id="simviz-query-legend" value={query.legend ?? ''} placeholder={DEFAULT_LEGEND} width={40} onCommit={(legend) => onChange({ legend: legend || undefined })} />
      </InlineField>
      {axis}
      <InlineField label="Display units" tooltip="Convert to each variable's display unit from the file (K to degC, Pa to bar, rad/s to rpm)" htmlFor="simviz-query-display-units">
        <InlineSwitch id="simviz-query-display-units" value={Boolean(query.displayUnits)} onChange={(event) => onChange({ displayUnits: event.currentTarget.checked })} />
      </InlineField>
      <InlineField label="Max points" tooltip="Points per series; empty: the panel's width" htmlFor="simviz-query-max-points">
        <CommitInput
          id="simviz-query-max-points"
          value={query.maxDataPoints ? String(query.maxDataPoints) : ''}
          placeholder="auto"
          width={12}
          onCommit={(text) => onChange({ maxDataPoints: parseMaxPoints(text) })}
        />
      </InlineField>
    </Stack>
  );
}

/** Time axis and run start/stop markers of an events query (also the annotation query). */
export function EventOptions(props: Props) {
  const { query, onChange } = props;
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      <TimeAxisField {...props} />
      <InlineField label="Run start and stop" tooltip="Also mark when each run starts and stops" htmlFor="simviz-query-run-bounds">
        <InlineSwitch id="simviz-query-run-bounds" value={Boolean(query.runBounds)} onChange={(event) => onChange({ runBounds: event.currentTarget.checked })} />
      </InlineField>
    </Stack>
  );
}

/** Filter and "differs only" of a parameters query. */
export function ParameterOptions({ query, onChange }: Pick<Props, 'query' | 'onChange'>) {
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      <InlineField label="Filter" labelWidth={14} tooltip="Words in the parameter name or description" htmlFor="simviz-query-parameter-search">
        <CommitInput id="simviz-query-parameter-search" value={query.parameterSearch ?? ''} placeholder="all parameters" width={30} onCommit={(parameterSearch) => onChange({ parameterSearch: parameterSearch || undefined })} />
      </InlineField>
      {/* InlineField hands `disabled` down to its child (and would override the child's own). */}
      <InlineField
        label="Differs only"
        tooltip="With two or more simulations: only parameters whose values differ"
        htmlFor="simviz-query-differs-only"
        disabled={query.simulations.length < 2}
      >
        <InlineSwitch
          id="simviz-query-differs-only"
          value={Boolean(query.differsOnly)}
          onChange={(event) => onChange({ differsOnly: event.currentTarget.checked })}
        />
      </InlineField>
    </Stack>
  );
}
