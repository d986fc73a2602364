import React from 'react';
import { InlineField, RadioButtonGroup } from '@grafana/ui';

import type { SimVizQueryType } from '../types';

const OPTIONS: Array<{ value: SimVizQueryType; label: string; description: string }> = [
  { value: 'timeseries', label: 'Time series', description: 'Variables over time, downsampled to the panel width' },
  { value: 'table', label: 'Raw table', description: 'Exact values with their time column' },
  { value: 'parameters', label: 'Parameters', description: 'Parameter values, one column per simulation' },
  { value: 'events', label: 'Events', description: 'Event times (time stamps stored twice)' },
  { value: 'regression', label: 'Regression', description: 'A run against its reference inside a tolerance tube: the band, failing intervals, pass or fail per variable or per run' },
  { value: 'stats', label: 'Proxy stats', description: 'Operational figures of the SimViz proxy: status counts, failures, indexing, timings' },
];

export function QueryTypeField({ value, onChange }: { value: SimVizQueryType; onChange: (type: SimVizQueryType) => void }) {
  return (
    <InlineField label="Query type" labelWidth={14}>
      <RadioButtonGroup<SimVizQueryType> options={OPTIONS} value={value} onChange={onChange} />
    </InlineField>
  );
}
