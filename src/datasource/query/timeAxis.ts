import { FieldType, type FieldDTO } from '@grafana/data';

import type { Simulation } from '../../shared/api';
import type { TimeAxis } from '../types';

/** Simulation time t seconds is drawn at t·1000 ms after the axis origin. */
export const MS_PER_SECOND = 1000;

/** When the run started: the time stamp in its name, else the file's modification time. */
export function runStartMs(simulation: Simulation | undefined): number {
  const at = Date.parse(simulation?.runAt ?? simulation?.modifiedAt ?? '');
  return Number.isFinite(at) ? at : 0;
}

/** Grafana time of simulation time 0 on this axis. */
export function axisOriginMs(axis: TimeAxis, simulation: Simulation | undefined): number {
  return axis === 'runStart' ? runStartMs(simulation) : 0;
}

/** The dashboard range in simulation seconds; a numeric axis (XY chart) shows the whole run. */
export function simulationWindow(axis: TimeAxis, fromMs: number, toMs: number, originMs: number): { from?: number; to?: number } {
  if (axis === 'numeric') {
    return {};
  }
  return { from: (fromMs - originMs) / MS_PER_SECOND, to: (toMs - originMs) / MS_PER_SECOND };
}

/** The time field of a frame: Grafana time, or plain seconds for the XY chart. */
export function timeField(axis: TimeAxis, seconds: readonly number[], originMs: number): FieldDTO {
  if (axis === 'numeric') {
    return { name: 'time', type: FieldType.number, values: [...seconds], config: { unit: 's' } };
  }
  return { name: 'Time', type: FieldType.time, values: seconds.map((t) => originMs + t * MS_PER_SECOND), config: {} };
}
