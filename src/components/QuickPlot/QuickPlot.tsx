import React from 'react';
import { LoadingState, type PanelData } from '@grafana/data';
import { PanelRenderer } from '@grafana/runtime';
import { Alert, LoadingPlaceholder } from '@grafana/ui';

import { useElementWidth } from '../../hooks/useElementWidth';

interface Props {
  title: string;
  data: PanelData | undefined;
  height?: number;
  /** Shown while nothing is selected. */
  placeholder: string;
  /** Grafana's panel that draws the data. */
  panel?: 'timeseries' | 'table';
}

const DEFAULT_WIDTH = 800;
const TIME_SERIES_OPTIONS = { legend: { showLegend: true, displayMode: 'table', placement: 'bottom', calcs: ['min', 'max', 'lastNotNull'] } };

/** A panel (time series or table) drawn by Grafana's own panel rendering, with the query's errors above it. */
export function QuickPlot({ title, data, height = 320, placeholder, panel = 'timeseries' }: Props) {
  const [ref, width] = useElementWidth<HTMLDivElement>(DEFAULT_WIDTH);
  const errors = data?.errors ?? [];
  return (
    <div ref={ref} data-testid="simviz-quick-plot">
      {!data && <Alert title={placeholder} severity="info" />}
      {data?.state === LoadingState.Loading && data.series.length === 0 && <LoadingPlaceholder text="Loading series…" />}
      {errors.map((error, i) => (
        <Alert key={i} title="The query failed" severity="error">
          {error.message}
        </Alert>
      ))}
      {data && data.series.length > 0 && (
        <PanelRenderer
          title={title}
          pluginId={panel}
          width={width}
          height={height}
          data={data}
          options={panel === 'timeseries' ? TIME_SERIES_OPTIONS : {}}
          timeZone="utc"
        />
      )}
    </div>
  );
}
