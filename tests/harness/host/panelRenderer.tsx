import React from 'react';
import { FieldType } from '@grafana/data';
import type { PanelRendererProps } from '@grafana/runtime';
import { Alert } from '@grafana/ui';

import { Chart, seriesOf, TableFrame } from './dashboard/PanelView';

/**
 * Grafana's PanelRenderer (set by Grafana core at start-up) for app pages, drawing with the same
 * chart and table as the harness's dashboard view. It proves what data a page hands to a panel,
 * not how Grafana draws it.
 */
export function HarnessPanelRenderer({ title, pluginId, data, width, height }: PanelRendererProps) {
  const frames = data?.series ?? [];
  const isTime = frames.some((frame) => frame.fields.some((field) => field.type === FieldType.time));
  return (
    <figure data-testid="harness-panel" data-plugin={pluginId} data-title={title} style={{ width, minHeight: height, margin: 0 }}>
      <figcaption style={{ fontWeight: 500, marginBottom: 4 }}>{title}</figcaption>
      {data?.errors?.map((error, i) => (
        <Alert key={i} title="Panel error" severity="error">
          {error.message}
        </Alert>
      ))}
      {pluginId === 'table'
        ? frames.map((frame, i) => <TableFrame key={i} frame={frame} defaults={{}} />)
        : frames.length > 0 && <Chart series={seriesOf(frames)} markers={[]} isTime={isTime} />}
    </figure>
  );
}
