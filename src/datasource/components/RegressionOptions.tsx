import React from 'react';
import { InlineField, InlineSwitch, RadioButtonGroup, Stack } from '@grafana/ui';

import type { RegressionRuns, RegressionTolerances, RegressionView, SimVizQuery } from '../types';
import { CommitInput } from './SeriesOptions';

interface Props {
  query: SimVizQuery;
  /** Changes the query and runs it. */
  onChange: (next: Partial<SimVizQuery>) => void;
}

const VIEWS: Array<{ value: RegressionView; label: string; description: string }> = [
  { value: 'plot', label: 'Plot', description: 'Per variable: the run, the reference and the tolerance tube as a band; failing intervals as annotations' },
  { value: 'variables', label: 'By variable', description: 'A table: pass or fail, worst deviation and where, one row per variable' },
  { value: 'runs', label: 'By run', description: 'A table: every run of a folder or search that names a reference, one row per run' },
  { value: 'runStatus', label: 'Alert status', description: 'Failing variables per run, with the run as labels: one alert instance per run' },
];

export const isBatchView = (view: RegressionView | undefined): boolean => view === 'runs' || view === 'runStatus';

/** A number the user typed, or undefined for empty or not a number (the field then keeps the default). */
function parseNonNegative(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function RegressionViewField({ query, onChange }: Props) {
  const view = query.regressionView ?? 'plot';
  return (
    <InlineField label="Regression" labelWidth={14} tooltip={VIEWS.find((v) => v.value === view)?.description}>
      <RadioButtonGroup<RegressionView> options={VIEWS} value={view} onChange={(regressionView) => onChange({ regressionView })} />
    </InlineField>
  );
}

const TOLERANCE_FIELDS: Array<{ key: 'absolute' | 'relative' | 'time'; label: string; placeholder: string; tooltip: string }> = [
  { key: 'relative', label: 'Relative', placeholder: '0.002', tooltip: "A fraction of the reference's range of values (or of |y|, below): 0.002 is 0.2 %" },
  { key: 'absolute', label: 'Absolute', placeholder: '0', tooltip: "In the variable's unit; the tube is at least this high" },
  { key: 'time', label: 'Time (s)', placeholder: 'relative × duration', tooltip: 'Half-width of the tube in simulation seconds: a step shifted by less passes' },
];

/** Reference, tolerances and which variables show. */
export function RegressionOptions({ query, onChange }: Props) {
  const tolerances = query.regressionTolerances ?? {};
  const setTolerance = (next: Partial<RegressionTolerances>) => onChange({ regressionTolerances: { ...tolerances, ...next } });
  return (
    <Stack direction="column" gap={1}>
      {!isBatchView(query.regressionView) && (
        <InlineField label="Reference" labelWidth={14} tooltip="The run compared against, by id (may be $reference); empty: the run's reference from its sidecar" htmlFor="simviz-query-reference">
          <CommitInput id="simviz-query-reference" value={query.referenceId ?? ''} placeholder="from the run's sidecar" width={40} onCommit={(text) => onChange({ referenceId: text.trim() || undefined })} />
        </InlineField>
      )}
      <Stack direction="row" gap={1} wrap="wrap">
        {TOLERANCE_FIELDS.map(({ key, label, placeholder, tooltip }, k) => (
          <InlineField key={key} label={label} labelWidth={k === 0 ? 14 : undefined} tooltip={tooltip} htmlFor={`simviz-query-tolerance-${key}`}>
            <CommitInput
              id={`simviz-query-tolerance-${key}`}
              value={tolerances[key] === undefined || tolerances[key] === null ? '' : String(tolerances[key])}
              placeholder={placeholder}
              width={key === 'time' ? 20 : 12}
              onCommit={(text) => setTolerance({ [key]: parseNonNegative(text) })}
            />
          </InlineField>
        ))}
        <InlineField label="Relative to" tooltip="Range: of the reference's whole range of values (csv-compare). Value: of |y| at each point (funnel)">
          <RadioButtonGroup<'range' | 'value'>
            options={[
              { value: 'range', label: 'Range' },
              { value: 'value', label: 'Value' },
            ]}
            value={tolerances.relativeTo ?? 'range'}
            onChange={(relativeTo) => setTolerance({ relativeTo })}
          />
        </InlineField>
        <InlineField label="Only failing" tooltip="Show only the variables that fail or are missing: all that differ" htmlFor="simviz-query-only-failing">
          <InlineSwitch id="simviz-query-only-failing" value={Boolean(query.onlyFailing)} onChange={(event) => onChange({ onlyFailing: event.currentTarget.checked })} />
        </InlineField>
      </Stack>
    </Stack>
  );
}

const RUN_FIELDS: Array<{ key: 'search' | 'folder' | 'tag'; label: string; placeholder: string }> = [
  { key: 'search', label: 'Search', placeholder: 'any name or model' },
  { key: 'folder', label: 'Folder', placeholder: 'any folder' },
  { key: 'tag', label: 'Tag', placeholder: 'any tag' },
];

/** Which runs a batch regression compares: all that match and name a reference. */
export function RegressionRunsFields({ query, onChange }: Props) {
  const runs = query.regressionRuns ?? {};
  const set = (next: Partial<RegressionRuns>) => onChange({ regressionRuns: { ...runs, ...next } });
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      {RUN_FIELDS.map(({ key, label, placeholder }, k) => (
        <InlineField key={key} label={label} labelWidth={k === 0 ? 14 : undefined} htmlFor={`simviz-query-regression-${key}`}>
          <CommitInput id={`simviz-query-regression-${key}`} value={runs[key] ?? ''} placeholder={placeholder} width={20} onCommit={(text) => set({ [key]: text.trim() || undefined })} />
        </InlineField>
      ))}
      <InlineField label="Modified within (h)" tooltip="Only runs whose file changed in the last this many hours, e.g. 24 for last night's" htmlFor="simviz-query-regression-within">
        <CommitInput
          id="simviz-query-regression-within"
          value={runs.withinHours ? String(runs.withinHours) : ''}
          placeholder="any time"
          width={12}
          onCommit={(text) => set({ withinHours: parseNonNegative(text) || undefined })}
        />
      </InlineField>
    </Stack>
  );
}
