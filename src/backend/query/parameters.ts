import type { Field, Frame, Notice } from '../frames/frame';
import type { SimVizQuery } from '../../datasource/types';
import type { QueryContext, QueryRunner } from './context';
import { lookUpSimulations } from './fetchSeries';

/** Parameters listed per query; the proxy pages beyond this and the frame says so. */
export const MAX_PARAMETERS = 1000;

function truncationNotice(shown: number, total: number): Notice[] {
  return total > shown ? [{ severity: 'warning', text: `${shown} of ${total} parameters shown; narrow the parameter filter` }] : [];
}

function textField(name: string, values: string[]): Field {
  return { name, type: 'string', values, config: {} };
}

async function oneRun(context: QueryContext, query: SimVizQuery, id: string): Promise<Frame> {
  const page = await context.client.listParameters(id, { search: query.parameterSearch || undefined, limit: MAX_PARAMETERS });
  return {
    refId: query.refId,
    name: 'Parameters',
    meta: { preferredVisualisationType: 'table', notices: truncationNotice(page.items.length, page.total) },
    fields: [
      textField('Parameter', page.items.map((p) => p.name)),
      // Grafana titles a field named "Value" by the frame's name ("Parameters") unless told otherwise.
      { name: 'Value', type: 'number', values: page.items.map((p) => p.value ?? null), config: { displayNameFromDS: 'Value' } },
      textField('Unit', page.items.map((p) => p.unit ?? '')),
      textField('Description', page.items.map((p) => p.description)),
    ],
  };
}

/** Several runs side by side: one column per run, optionally only the parameters that differ. */
async function severalRuns(context: QueryContext, query: SimVizQuery): Promise<Frame> {
  const [diff, simulations] = await Promise.all([
    context.client.parameterDiff(query.simulations, {
      search: query.parameterSearch || undefined,
      all: !query.differsOnly,
      limit: MAX_PARAMETERS,
    }),
    lookUpSimulations(context, query.simulations),
  ]);
  // displayNameFromDS: Grafana would otherwise name each column by its name and its label ("run run").
  const runColumns: Field[] = diff.simulations.map((id, k) => {
    const name = simulations.get(id)?.name ?? id;
    return { name, type: 'number', values: diff.items.map((item) => item.values[k]), config: { displayNameFromDS: name }, labels: { simulation: name } };
  });
  return {
    refId: query.refId,
    name: query.differsOnly ? 'Parameters that differ' : 'Parameters',
    meta: { preferredVisualisationType: 'table', notices: truncationNotice(diff.items.length, diff.total) },
    fields: [
      textField('Parameter', diff.items.map((item) => item.name)),
      textField('Unit', diff.items.map((item) => item.unit ?? '')),
      ...runColumns,
      textField('Description', diff.items.map((item) => item.description)),
    ],
  };
}

/** Parameters: a table with one row per parameter and one value column per selected run. */
export const runParameters: QueryRunner = async (context, query) => {
  const frame = query.simulations.length === 1 ? await oneRun(context, query, query.simulations[0]) : await severalRuns(context, query);
  return { frames: [frame], errors: [] };
};
