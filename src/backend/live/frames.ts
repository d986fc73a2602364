/**
 * Live frames: the same frame as a time-series query's (seriesFrame: names, labels, units,
 * display units, time axis), holding a LiveUpdate's points, with `meta.custom.live` telling the
 * browser how it changes what the panel holds (src/datasource/live/stream.ts reads it).
 */
import type { Series, Simulation } from '../../shared/api';
import type { LiveParams } from '../../shared/liveChannel';
import { headerOf, type LiveUpdate, type LiveUpdateHeader } from '../../shared/live';
import type { RowsSeriesMeta } from '../../shared/liveRows';
import type { SimVizQuery } from '../../datasource/types';
import type { Frame } from '../frames/frame';
import { frameToJson } from '../frames/json';
import { seriesFrame } from '../query/seriesFrame';
import { axisOriginMs } from '../query/timeAxis';

/** `meta.custom.live` of a live frame. */
export interface LiveFrameMeta {
  /** The channel path (under `ds/<uid>/`) whose packets extend this frame. */
  path: string;
  /** What the subscription sends as its data (the parameters the path's key hashes). */
  params: LiveParams;
  /** The variable as stored in the file: which frame of the query a packet's frame extends. */
  variable: string;
  /** Absent on a query's frame; on a packet's frame, how it applies (shared/live.ts). */
  update?: LiveUpdateHeader;
}

/** The query as the live parameters describe it, for seriesFrame. */
function queryOf(params: LiveParams, refId: string): SimVizQuery {
  return { refId, simulations: [params.simulation], variables: params.variables, legend: params.legend, timeAxis: params.timeAxis, displayUnits: params.displayUnits };
}

function seriesOf(params: LiveParams, simulation: Simulation, meta: RowsSeriesMeta, update: LiveUpdate): Series {
  const time = update.time.concat(update.provisional.time);
  return {
    simulation: params.simulation,
    variable: meta.variable,
    simulationName: simulation.name,
    resolvedName: meta.resolvedName,
    unit: meta.unit,
    displayUnit: meta.displayUnit,
    description: meta.description,
    kind: 'trajectory',
    valueType: meta.valueType,
    time,
    values: update.values.concat(update.provisional.values),
    pointsInRange: update.rows,
    downsampled: update.rows > time.length,
  };
}

export interface LiveFrameInput {
  path: string;
  params: LiveParams;
  simulation: Simulation;
  series: RowsSeriesMeta;
  update: LiveUpdate;
}

export function liveFrame({ path, params, simulation, series, update }: LiveFrameInput): Frame {
  const frame = seriesFrame(seriesOf(params, simulation, series, update), {
    query: queryOf(params, 'live'),
    axis: params.timeAxis,
    originMs: axisOriginMs(params.timeAxis, simulation),
    simulation,
  });
  const live: LiveFrameMeta = { path, params, variable: series.resolvedName, update: headerOf(update) };
  // A packet's notices would pile up in the panel; the query's frame carries them.
  return { ...frame, meta: { ...frame.meta, notices: undefined, custom: { live } } };
}

/** One stream packet: every frame it changes, as frame JSON (the SDK's data.Frame decodes each). */
export function livePacket(frames: readonly Frame[]): Uint8Array {
  return new TextEncoder().encode(`{"frames":[${frames.map(frameToJson).join(',')}]}`);
}
