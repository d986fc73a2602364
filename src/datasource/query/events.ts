import { createDataFrame, FieldType } from '@grafana/data';

import { timeAxisOf, type QueryRunner } from './context';
import { lookUpSimulations } from './fetchSeries';
import { axisOriginMs, simulationWindow, timeField } from './timeAxis';

/** Events: the time stamps each run stored twice or more (state events, resets), one frame per run. */
export const runEvents: QueryRunner = async (context, query) => {
  const axis = timeAxisOf(context, query);
  const simulations = await lookUpSimulations(context, query.simulations);
  const frames = await Promise.all(
    query.simulations.map(async (id) => {
      const simulation = simulations.get(id);
      const originMs = axisOriginMs(axis, simulation);
      const page = await context.client.events(id, simulationWindow(axis, context.fromMs, context.toMs, originMs));
      const name = simulation?.name ?? id;
      const times = page.items.map((event) => event.time);
      return createDataFrame({
        refId: query.refId,
        name: `${name} events`,
        meta: {
          preferredVisualisationType: 'table',
          notices: page.total > times.length ? [{ severity: 'warning', text: `${times.length} of ${page.total} events of ${name} shown` }] : [],
        },
        fields: [
          timeField(axis, times, originMs),
          { name: 'simulation', type: FieldType.string, values: times.map(() => name), config: {} },
          { name: 'text', type: FieldType.string, values: times.map((t) => `Event at t = ${t} s`), config: {} },
        ],
      });
    })
  );
  return { frames, errors: [] };
};
