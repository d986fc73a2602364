/**
 * A dashboard panel drawn simply: series overlaid in one chart (time or the numeric time axis on x),
 * everything else as a table of every field, with the panel's errors. It shows what data each
 * panel gets from the built datasource, not how Grafana's own panels draw it.
 */
import React from 'react';
import { FieldType, formattedValueToString, getValueFormat, type DataFrame, type Field, type FieldConfig } from '@grafana/data';
import { Alert } from '@grafana/ui';

import { fieldMatcher, fieldTitle, formatValue } from './format';
import type { DashboardPanel } from './model';
import { markersOf, type Marker, type PanelResult } from './run';

const COLORS = ['#73BF69', '#F2CC0C', '#8AB8FF', '#FF780A', '#F2495C', '#5794F2', '#B877D9', '#FADE2A', '#37872D', '#C4162A'];
const CHART = { width: 1000, height: 220 };
const CHART_TYPES = new Set(['timeseries', 'xychart']);
const TABLE_ROWS = 12;

interface Series {
  name: string;
  unit: string;
  points: Array<[number, number]>;
}

/** The x of a frame: its time field, or the numeric time axis (`time` in seconds, for the XY chart). */
function xFieldOf(frame: DataFrame): Field | undefined {
  return frame.fields.find((f) => f.type === FieldType.time) ?? frame.fields.find((f) => f.type === FieldType.number && f.name === 'time' && f.config.unit === 's');
}

export function seriesOf(frames: DataFrame[]): Series[] {
  return frames.flatMap((frame) => {
    const x = xFieldOf(frame);
    if (!x) {
      return [];
    }
    return frame.fields
      .filter((f) => f !== x && f.type === FieldType.number)
      .map((f) => ({
        name: f.config.displayNameFromDS ?? frame.name ?? f.name,
        unit: f.config.unit ?? '',
        points: x.values.map((t, i): [number, number] => [Number(t), Number(f.values[i])]).filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v)),
      }));
  });
}

function extent(values: number[]): [number, number] {
  return values.reduce<[number, number]>(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : Number(value.toPrecision(5)).toString();
}

function formatY(value: number, unit: string | undefined): string {
  return formattedValueToString(getValueFormat(unit || 'none')(value));
}

function formatX(value: number, isTime: boolean): string {
  return isTime ? new Date(value).toISOString().replace('T', ' ').replace('Z', ' UTC') : `${formatNumber(value)} s`;
}

export function Chart({ series, markers, isTime }: { series: Series[]; markers: Marker[]; isTime: boolean }) {
  const [x0, x1] = extent(series.flatMap((s) => s.points.map((p) => p[0])));
  const [y0, y1] = extent(series.flatMap((s) => s.points.map((p) => p[1])));
  const sx = (x: number) => (x1 > x0 ? ((x - x0) / (x1 - x0)) * CHART.width : 0);
  const sy = (y: number) => (y1 > y0 ? CHART.height - ((y - y0) / (y1 - y0)) * CHART.height : CHART.height / 2);
  const shown = isTime ? markers.filter((m) => m.time >= x0 && m.time <= x1) : [];
  return (
    <div data-testid="panel-chart" data-series={series.length} data-markers={shown.length}>
      <div style={{ fontSize: 11, opacity: 0.7 }}>
        {formatY(y1, series[0]?.unit)} … {formatY(y0, series[0]?.unit)}
      </div>
      <svg viewBox={`0 0 ${CHART.width} ${CHART.height}`} preserveAspectRatio="none" style={{ width: '100%', height: 180, display: 'block', background: '#111217', border: '1px solid #2c3235' }}>
        {shown.map((m, i) => (
          <line key={`m${i}`} x1={sx(m.time)} x2={sx(m.time)} y1={0} y2={CHART.height} stroke="#FF9830" strokeDasharray="4 4" vectorEffect="non-scaling-stroke" />
        ))}
        {series.map((s, i) => (
          <polyline key={i} points={s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
        ))}
      </svg>
      <div style={{ fontSize: 11, opacity: 0.7, display: 'flex', justifyContent: 'space-between' }}>
        <span>{formatX(x0, isTime)}</span>
        <span>{formatX(x1, isTime)}</span>
      </div>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, fontSize: 12 }}>
        {series.map((s, i) => (
          <span key={i} data-testid="panel-series" data-name={s.name} data-unit={s.unit} data-points={s.points.length}>
            <span style={{ display: 'inline-block', width: 14, height: 3, background: COLORS[i % COLORS.length], verticalAlign: 'middle', marginRight: 4 }} />
            {s.name}
          </span>
        ))}
      </div>
    </div>
  );
}

export function TableFrame({ frame, defaults }: { frame: DataFrame; defaults: FieldConfig }) {
  const rows = Math.min(frame.length, TABLE_ROWS);
  return (
    <div style={{ overflowX: 'auto' }}>
      <table data-testid="panel-table" data-name={frame.name ?? ''} data-rows={frame.length} style={{ fontSize: 12, borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <tr>
            {frame.fields.map((field, i) => (
              <th key={i} style={{ textAlign: 'left', borderBottom: '1px solid #444', padding: '2px 6px', whiteSpace: 'nowrap' }}>
                {fieldTitle(field, frame)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, row) => (
            <tr key={row}>
              {frame.fields.map((field, i) => (
                <td key={i} style={{ padding: '2px 6px', maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                  {formatValue(field, row, defaults)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {frame.length > rows && <div style={{ opacity: 0.6, fontSize: 12 }}>… {frame.length - rows} more rows</div>}
    </div>
  );
}

/** A stat panel: the last value of each field its reduceOptions.fields selects, large. */
function StatBody({ frames, panel }: { frames: DataFrame[]; panel: DashboardPanel }) {
  const defaults = panel.fieldConfig?.defaults ?? {};
  const shown = frames.flatMap((frame) =>
    frame.fields.filter(fieldMatcher(panel.options?.reduceOptions?.fields, frame)).map((field) => ({ field, name: fieldTitle(field, frame), row: frame.length - 1 }))
  );
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16 }}>
      {shown.map(({ field, name, row }, i) => (
        <div key={i} data-testid="dashboard-stat" data-name={name}>
          {shown.length > 1 && <div style={{ fontSize: 11, opacity: 0.7 }}>{name}</div>}
          <div style={{ fontSize: 26, fontWeight: 500, color: '#73BF69' }}>{formatValue(field, row, defaults)}</div>
        </div>
      ))}
    </div>
  );
}

/** A bar gauge or bar chart: one bar per row, labelled by the row's text (or the chart's x field). */
function BarsBody({ frames, panel }: { frames: DataFrame[]; panel: DashboardPanel }) {
  const defaults = panel.fieldConfig?.defaults ?? {};
  const bars = frames.flatMap((frame) => {
    const label = frame.fields.find((f) => (panel.options?.xField ? f.name === panel.options.xField : f.type === FieldType.string));
    const value = frame.fields.find((f) => f.type === FieldType.number && fieldMatcher(panel.options?.reduceOptions?.fields, frame)(f));
    return value ? Array.from({ length: frame.length }, (_, row) => ({ label: label ? formatValue(label, row) : '', value: Number(value.values[row]) || 0, text: formatValue(value, row, defaults) })) : [];
  });
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 3fr)', gap: '4px 8px', fontSize: 12 }}>
      {bars.map((bar, i) => (
        <React.Fragment key={i}>
          <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{bar.label}</span>
          <span data-testid="dashboard-bar" data-label={bar.label}>
            <span style={{ display: 'inline-block', width: `${(bar.value / max) * 75}%`, height: 12, background: COLORS[i % COLORS.length], verticalAlign: 'middle', marginRight: 6 }} />
            {bar.text}
          </span>
        </React.Fragment>
      ))}
    </div>
  );
}

/**
 * Frames a query returns as annotations of its own panel, as Grafana's time series panel picks them
 * (getAnnotationFrames): data topic `annotations`, a field named `time`, at least one row.
 */
function isAnnotationFrame(frame: DataFrame): boolean {
  return frame.name !== 'exemplar' && frame.meta?.dataTopic === 'annotations' && frame.length > 0 && frame.fields.some((f) => f.name === 'time');
}

function PanelBody({ panel, frames: all, markers }: { panel: DashboardPanel; frames: DataFrame[]; markers: Marker[] }) {
  const chart = CHART_TYPES.has(panel.type) ? seriesOf(all.filter((frame) => frame.meta?.dataTopic !== 'annotations')) : [];
  if (chart.length > 0) {
    const own = markersOf(all.filter(isAnnotationFrame));
    return <Chart series={chart} markers={[...markers, ...own]} isTime={all.some((f) => f.fields.some((x) => x.type === FieldType.time))} />;
  }
  const frames = all.filter((frame) => frame.meta?.dataTopic !== 'annotations');
  if (panel.type === 'stat') {
    return <StatBody frames={frames} panel={panel} />;
  }
  if (panel.type === 'bargauge' || panel.type === 'barchart') {
    return <BarsBody frames={frames} panel={panel} />;
  }
  return (
    <>
      {frames.map((frame, i) => (
        <TableFrame key={i} frame={frame} defaults={panel.fieldConfig?.defaults ?? {}} />
      ))}
    </>
  );
}

interface Props {
  title: string;
  panel: DashboardPanel;
  width: number;
  result: PanelResult | undefined;
  markers: Marker[];
}

export function PanelView({ title, panel, width, result, markers }: Props) {
  const frames = result?.frames ?? [];
  const rows = frames.reduce((sum, frame) => sum + frame.length, 0);
  return (
    <section
      data-testid="dashboard-panel"
      data-title={title}
      data-type={panel.type}
      data-loaded={result !== undefined}
      data-frames={frames.length}
      data-rows={rows}
      data-errors={result?.errors.length ?? 0}
      style={{ gridColumn: `span ${width}`, border: '1px solid #2c3235', borderRadius: 2, padding: 8, background: '#181b1f', minWidth: 0, overflow: 'hidden' }}
    >
      <h3 style={{ fontSize: 14, margin: '0 0 6px' }}>
        {title} <span style={{ fontSize: 11, opacity: 0.5 }}>{panel.type}</span>
      </h3>
      {result?.errors.map((message, i) => (
        <Alert key={i} title="Panel error" severity="error" data-testid="dashboard-panel-error">
          {message}
        </Alert>
      ))}
      <PanelBody panel={panel} frames={frames} markers={markers} />
      {result && frames.length === 0 && result.errors.length === 0 && <div style={{ opacity: 0.6 }}>No data</div>}
    </section>
  );
}
