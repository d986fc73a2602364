import React from 'react';
import { InlineField, RadioButtonGroup } from '@grafana/ui';

import type { StatsTable } from '../types';

const TABLES: Array<{ value: StatsTable; label: string; description: string }> = [
  { value: 'summary', label: 'Summary', description: 'Version, status, uptime, simulations and memory (one row, for stat panels)' },
  { value: 'status', label: 'By status', description: 'Simulations by status: ok, writing, error' },
  { value: 'failures', label: 'Failures', description: 'The files that most recently started failing, with the reason' },
  { value: 'indexing', label: 'Indexing', description: 'The last scan of the data roots and decoding since start (one row)' },
  { value: 'caches', label: 'Caches', description: 'Hits, misses and size of each cache' },
  { value: 'routes', label: 'Timings', description: 'Requests per route, with p50/p95/p99/max response times over the last 10 minutes' },
];

/** Which of the proxy's figures a stats query returns. */
export function StatsOptions({ value, onChange }: { value: StatsTable | undefined; onChange: (table: StatsTable) => void }) {
  return (
    <InlineField label="Statistics" labelWidth={14} tooltip="Operational figures of the SimViz proxy; no simulations needed">
      <RadioButtonGroup<StatsTable> options={TABLES} value={value ?? 'summary'} onChange={onChange} />
    </InlineField>
  );
}
