import type { Simulation } from '../../shared/api';
import type { Frame } from '../frames/frame';
import type { SimVizQuery, TimeAxis } from '../../datasource/types';
import { timeAxisOf, type QueryContext, type QueryRunner } from './context';
import { lookUpSimulations } from './fetchSeries';
import { axisOriginMs, queryWindow, timeField } from './timeAxis';

interface Marker {
  time: number;
  text: string;
}

/** The run's start and stop, when asked for and inside the window. */
function runBounds(simulation: Simulation | undefined, window: { from?: number; to?: number }): Marker[] {
  if (!simulation) {
    return [];
  }
  const inWindow = (t: number) => (window.from === undefined || t >= window.from) && (window.to === undefined || t <= window.to);
  const bounds: Marker[] = [];
  if (simulation.startTime !== null && inWindow(simulation.startTime)) {
    bounds.push({ time: simulation.startTime, text: `${simulation.name} starts` });
  }
  if (simulation.stopTime !== null && inWindow(simulation.stopTime)) {
    bounds.push({ time: simulation.stopTime, text: `${simulation.name} stops` });
  }
  return bounds;
}

function markersFrame(query: SimVizQuery, axis: TimeAxis, name: string, markers: Marker[], originMs: number, dropped: number): Frame {
  return {
    refId: query.refId,
    name: `${name} events`,
    meta: {
      preferredVisualisationType: 'table',
      notices: dropped > 0 ? [{ severity: 'warning', text: `${markers.length} of ${markers.length + dropped} events of ${name} shown` }] : [],
    },
    // `time`, `text` and `tags` are the fields Grafana turns into annotations.
    fields: [
      timeField(axis, markers.map((m) => m.time), originMs),
      { name: 'text', type: 'string', values: markers.map((m) => m.text), config: {} },
      { name: 'simulation', type: 'string', values: markers.map(() => name), config: {} },
      { name: 'tags', type: 'other', values: markers.map(() => ['simviz', name]), config: {} },
    ],
  };
}

async function eventsOf(context: QueryContext, query: SimVizQuery, axis: TimeAxis, id: string, simulation: Simulation | undefined): Promise<Frame> {
  const originMs = axisOriginMs(axis, simulation);
  const window = queryWindow(query, context, axis, originMs, simulation);
  const page = await context.client.events(id, window);
  const name = simulation?.name ?? id;
  const events: Marker[] = page.items.map((event) => ({ time: event.time, text: `Event at t = ${event.time} s` }));
  const bounds = query.runBounds ? runBounds(simulation, window) : [];
  const markers = [...events, ...bounds].sort((a, b) => a.time - b.time);
  return markersFrame(query, axis, name, markers, originMs, page.total - page.items.length);
}

/** Events: the time stamps each run stored twice or more (state events, resets), and optionally its start and stop; one frame per run. */
export const runEvents: QueryRunner = async (context, query) => {
  const axis = timeAxisOf(context, query);
  const simulations = await lookUpSimulations(context, query.simulations);
  const frames = await Promise.all(query.simulations.map((id) => eventsOf(context, query, axis, id, simulations.get(id))));
  return { frames, errors: [] };
};
