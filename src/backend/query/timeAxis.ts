import type { Simulation } from '../../shared/api';
import { Float64Values } from '../frames/float64Values';
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

/** Simulation seconds as Grafana milliseconds: a loop, which costs a fraction of TypedArray map's callback per value. */
function grafanaMs(seconds: Float64Array, originMs: number): Float64Array {
  const ms = new Float64Array(seconds.length);
  for (let i = 0; i < ms.length; i++) {
    ms[i] = originMs + seconds[i] * MS_PER_SECOND;
  }
  return ms;
}

/**
 * The time field of a frame: Grafana time, or plain seconds for the XY chart. Times in a
 * Float64Array (a series answer's) stay in one: every time is present, NaN included, as in an array.
 */
export function timeField(axis: TimeAxis, seconds: readonly number[] | Float64Array, originMs: number): Field {
  if (seconds instanceof Float64Array) {
    return axis === 'numeric'
      ? { name: 'time', type: 'number', values: Float64Values.of(seconds), config: { unit: 's' } }
      : { name: 'Time', type: 'time', values: Float64Values.of(grafanaMs(seconds, originMs)), config: {} };
  }
  if (axis === 'numeric') {
    return { name: 'time', type: 'number', values: [...seconds], config: { unit: 's' } };
  }
  return { name: 'Time', type: 'time', values: seconds.map((t) => originMs + t * MS_PER_SECOND), config: {} };
}
