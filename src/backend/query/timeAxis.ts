import type { Simulation } from '../../shared/api';
import type { Field } from '../frames/frame';
import type { SimVizQuery, TimeAxis } from '../../datasource/types';

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

/** The part of the run a query reads, in simulation seconds (see TimeMode); undefined ends are open. */
export function queryWindow(
  query: SimVizQuery,
  range: { fromMs: number; toMs: number },
  axis: TimeAxis,
  originMs: number,
  simulation: Simulation | undefined
): { from?: number; to?: number } {
  switch (query.timeMode) {
    case 'wholeRun':
      return {};
    case 'lastSeconds': {
      const stop = simulation?.stopTime;
      return stop === null || stop === undefined ? {} : { from: stop - (query.lastSeconds ?? 0), to: stop };
    }
    default:
      return simulationWindow(axis, range.fromMs, range.toMs, originMs);
  }
}

/** The time field of a frame: Grafana time, or plain seconds for the XY chart. */
export function timeField(axis: TimeAxis, seconds: readonly number[], originMs: number): Field {
  if (axis === 'numeric') {
    return { name: 'time', type: 'number', values: [...seconds], config: { unit: 's' } };
  }
  return { name: 'Time', type: 'time', values: seconds.map((t) => originMs + t * MS_PER_SECOND), config: {} };
}
