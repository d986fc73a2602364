/**
 * The frames the backend answers with, in the shape of Grafana's DataFrame (name, refId, meta,
 * fields with labels and config), as plain data: the backend runs without @grafana/data, and the
 * same objects go out as Arrow (QueryData) and as frame JSON (stream packets).
 */

import type { Float64Values } from './float64Values';

/** Grafana's field types that SimViz frames use (the `type` of a FieldDTO). */
export type FieldKind = 'time' | 'number' | 'string' | 'boolean' | 'other';

export interface Notice {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

/** The FrameMeta keys SimViz sets; Grafana drops keys it does not know. */
export interface FrameMeta {
  preferredVisualisationType?: 'graph' | 'table' | 'logs' | 'trace' | 'nodeGraph' | 'flamegraph' | 'rawPrometheus';
  notices?: Notice[];
  /** Only in frame JSON (streams): when the frame appends to what the panel holds. */
  channel?: string;
  /** SimViz's own: on a live frame, the channel that extends it and how (src/backend/live/frames.ts). */
  custom?: Record<string, unknown>;
  /** `annotations`: Grafana draws the frame as annotations of the panel's other frames (time, timeEnd, text). */
  dataTopic?: 'annotations';
}

/** The FieldConfig keys SimViz sets (they all exist in the SDK's FieldConfig, so Grafana keeps them). */
export interface FieldConfig {
  displayNameFromDS?: string;
  unit?: string;
  decimals?: number;
  description?: string;
  /** A fixed colour (`{mode: 'fixed', fixedColor: 'green'}`). */
  color?: { mode: 'fixed'; fixedColor: string };
  /** Options of the panel's own field config, e.g. the time series panel's `fillBelowTo`, `lineWidth`, `fillOpacity`. */
  custom?: Record<string, unknown>;
}

export type FieldValue = number | string | boolean | null | readonly unknown[];

export interface Field {
  name: string;
  type: FieldKind;
  /** time: epoch milliseconds; other: any JSON value (it travels as JSON bytes). Time and number fields may keep their numbers in a Float64Array. */
  values: readonly FieldValue[] | Float64Values;
  labels?: Record<string, string>;
  config?: FieldConfig;
}

export interface Frame {
  name?: string;
  refId?: string;
  meta?: FrameMeta;
  fields: Field[];
}
