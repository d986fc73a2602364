import React from 'react';
import { FieldType, type DataFrame, type DataQueryResponse } from '@grafana/data';
import { Alert, Stack } from '@grafana/ui';

/** The points drawn: those with a finite value. */
function drawnPoints(frame: DataFrame): number[][] {
  const time = frame.fields.find((f) => f.type === FieldType.time)?.values ?? [];
  const values = frame.fields.find((f) => f.type === FieldType.number)?.values ?? [];
  return time.map((t, i) => [Number(t), Number(values[i])]).filter(([, v]) => Number.isFinite(v));
}

function polyline(points: number[][], width: number, height: number): string {
  if (points.length === 0) {
    return '';
  }
  // Not Math.min(...): a long series would overflow the call stack.
  const bounds = (k: number) => points.reduce(([lo, hi], p) => [Math.min(lo, p[k]), Math.max(hi, p[k])], [Infinity, -Infinity]);
  const [t0, t1] = bounds(0);
  const [v0, v1] = bounds(1);
  const x = (t: number) => (t1 > t0 ? ((t - t0) / (t1 - t0)) * width : 0);
  const y = (v: number) => (v1 > v0 ? height - ((v - v0) / (v1 - v0)) * height : height / 2);
  return points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}

function FrameView({ frame }: { frame: DataFrame }) {
  const valueField = frame.fields.find((f) => f.type === FieldType.number);
  const timeField = frame.fields.find((f) => f.type === FieldType.time);
  const name = valueField?.config.displayNameFromDS ?? frame.name ?? '';
  const points = drawnPoints(frame);
  const times = timeField?.values ?? [];
  // The time span the frame covers (first and last time, epoch ms), for specs that watch it change.
  const span = times.length > 0 ? { 'data-first-time': Number(times[0]), 'data-last-time': Number(times[times.length - 1]) } : {};
  return (
    <div data-testid="harness-frame" data-name={name} data-unit={valueField?.config.unit ?? ''} data-points={frame.length} data-drawn={points.length} {...span}>
      <strong>{name}</strong> <span>unit: {valueField?.config.unit ?? 'none'}</span> <span>{frame.length} points</span>
      <svg width={600} height={120} style={{ display: 'block', border: '1px solid #444' }}>
        <polyline points={polyline(points, 600, 120)} fill="none" stroke="#73bf69" strokeWidth={1.5} />
      </svg>
      <table>
        <tbody>
          {Array.from({ length: Math.min(frame.length, 3) }, (_, i) => (
            <tr key={i}>
              <td>{String(timeField?.values[i])}</td>
              <td>{String(valueField?.values[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ResultView({ response }: { response: DataQueryResponse | undefined }) {
  if (!response) {
    return null;
  }
  const errors = response.errors ?? (response.error ? [response.error] : []);
  return (
    <Stack direction="column" gap={1}>
      {errors.map((error, i) => (
        <Alert key={i} title="Query error" severity="error" data-testid="harness-query-error">
          {error.message}
        </Alert>
      ))}
      {(response.data as DataFrame[]).map((frame, i) => (
        <FrameView key={i} frame={frame} />
      ))}
    </Stack>
  );
}
