import React from 'react';
import { FieldType, type DataFrame } from '@grafana/data';
import type { PanelRendererProps } from '@grafana/runtime';
import { Alert } from '@grafana/ui';

const PALETTE = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#fade2a'];
const CHART_HEIGHT = 220;

type Point = [number, number];

function pointsOf(frame: DataFrame): Point[] {
  const time = frame.fields.find((f) => f.type === FieldType.time || f.name === 'time')?.values ?? [];
  const values = frame.fields.find((f) => f.type === FieldType.number && f.name !== 'time')?.values ?? [];
  return time.map((t, i): Point => [Number(t), Number(values[i])]).filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v));
}

function extent(values: number[]): [number, number] {
  return values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
}

/** Every series of a time-series panel in one chart, as the panel overlays them, with a legend. */
function TimeSeries({ frames, width }: { frames: DataFrame[]; width: number }) {
  const series = frames.map(pointsOf);
  const all = series.flat();
  const [t0, t1] = extent(all.map((p) => p[0]));
  const [v0, v1] = extent(all.map((p) => p[1]));
  const x = (t: number) => (t1 > t0 ? ((t - t0) / (t1 - t0)) * width : 0);
  const y = (v: number) => (v1 > v0 ? CHART_HEIGHT - ((v - v0) / (v1 - v0)) * CHART_HEIGHT : CHART_HEIGHT / 2);
  return (
    <div>
      <svg width={width} height={CHART_HEIGHT} style={{ display: 'block', border: '1px solid #444' }}>
        {series.map((points, i) => (
          <polyline
            key={i}
            points={points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
            fill="none"
            stroke={PALETTE[i % PALETTE.length]}
            strokeWidth={1.5}
          />
        ))}
      </svg>
      <ul style={{ listStyle: 'none', padding: 0, margin: '4px 0' }}>
        {frames.map((frame, i) => {
          const valueField = frame.fields.find((f) => f.type === FieldType.number && f.name !== 'time');
          const name = valueField?.config.displayNameFromDS ?? frame.name ?? '';
          return (
            <li key={i} data-testid="harness-frame" data-name={name} data-unit={valueField?.config.unit ?? ''} data-points={frame.length}>
              <span style={{ color: PALETTE[i % PALETTE.length] }}>■</span> {name} <small>({valueField?.config.unit ?? 'no unit'}, {frame.length} points)</small>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const cellStyle: React.CSSProperties = { padding: '4px 12px', borderBottom: '1px solid #333', textAlign: 'left' };

/** Every field of a frame as an HTML table (up to 50 rows), so tests can read the values. */
function TableFrame({ frame }: { frame: DataFrame }) {
  const rows = Math.min(frame.length, 50);
  return (
    <table data-testid="harness-table-frame" data-name={frame.name ?? ''} data-rows={frame.length} style={{ borderCollapse: 'collapse' }}>
      <thead>
        <tr>
          {frame.fields.map((field) => (
            <th key={field.name} style={cellStyle}>
              {field.config.displayNameFromDS ?? field.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: rows }, (_, row) => (
          <tr key={row}>
            {frame.fields.map((field) => (
              <td key={field.name} style={cellStyle}>
                {field.values[row] === null || field.values[row] === undefined ? '' : String(field.values[row])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Grafana's PanelRenderer (set by Grafana core at start-up) for app pages: the frames the plugin
 * passes, drawn simply. It proves what data a page hands to a panel, not how Grafana draws it.
 */
export function HarnessPanelRenderer({ title, pluginId, data, width, height }: PanelRendererProps) {
  const series = data?.series ?? [];
  return (
    <figure data-testid="harness-panel" data-plugin={pluginId} data-title={title} style={{ width, minHeight: height, margin: 0 }}>
      <figcaption style={{ fontWeight: 500, marginBottom: 4 }}>{title}</figcaption>
      {data?.errors?.map((error, i) => (
        <Alert key={i} title="Panel error" severity="error">
          {error.message}
        </Alert>
      ))}
      {pluginId === 'table' ? series.map((frame, i) => <TableFrame key={i} frame={frame} />) : series.length > 0 && <TimeSeries frames={series} width={width} />}
    </figure>
  );
}
