/** Searches across several simulations: shared variables, and the parameters that differ. */
import {
  API_PREFIX,
  MultiVariableQuerySchema,
  ParameterDiffQuerySchema,
  ParameterDiffSchema,
  SharedVariablePageSchema,
  type SharedVariable,
  type SharedVariablePage,
} from '../../../shared/api';
import type { Catalog } from '../../../engine/catalog/catalog';
import type { ResultFile, VariableInfo } from '../../../engine/decoder';
import type { App } from '../app';
import { HttpError } from '../errors';
import { matchVariables, requireFile, requireSimulation } from './lookup';
import { toVariable } from './simulations';

type SearchError = SharedVariablePage['errors'][number];

/** Opens each simulation; unknown ids fail the request, unreadable files are reported per simulation. */
async function openAll(catalog: Catalog, ids: readonly string[]): Promise<{ files: Array<[string, ResultFile]>; errors: SearchError[] }> {
  const unique = [...new Set(ids)];
  unique.forEach((id) => requireSimulation(catalog, id));
  const files: Array<[string, ResultFile]> = [];
  const errors: SearchError[] = [];
  for (const id of unique) {
    try {
      files.push([id, await requireFile(catalog, id)]);
    } catch (error) {
      if (!(error instanceof HttpError)) {
        throw error;
      }
      errors.push({ simulation: id, error: { code: error.code, message: error.message } });
    }
  }
  return { files, errors };
}

function parameterValue(info: VariableInfo | undefined): number | null {
  return info?.kind === 'parameter' && Number.isFinite(info.value) ? (info.value as number) : null;
}

/** Equal when every run has the same number, or every run lacks it (NaN counts as missing). */
function allEqual(values: ReadonlyArray<number | null>): boolean {
  return values.every((v) => Object.is(v, values[0]));
}

export function variableRoutes(app: App, catalog: Catalog): void {
  app.get(
    `${API_PREFIX}/variables`,
    { schema: { querystring: MultiVariableQuerySchema, response: { 200: SharedVariablePageSchema } } },
    async (request) => {
      const { simulation, limit = 100, offset = 0, ...match } = request.query;
      const { files, errors } = await openAll(catalog, simulation);
      const byName = new Map<string, SharedVariable>();
      for (const [id, file] of files) {
        for (const info of matchVariables(file.variables, match)) {
          const known = byName.get(info.name);
          if (known) {
            known.simulations.push(id);
          } else {
            byName.set(info.name, { ...toVariable(info), simulations: [id] });
          }
        }
      }
      const items = [...byName.values()];
      return { items: items.slice(offset, offset + limit), total: items.length, errors };
    }
  );

  app.get(
    `${API_PREFIX}/parameters/diff`,
    { schema: { querystring: ParameterDiffQuerySchema, response: { 200: ParameterDiffSchema } } },
    async (request) => {
      const { simulation, all = false, limit = 100, offset = 0, ...match } = request.query;
      const { files, errors } = await openAll(catalog, simulation);
      if (errors.length > 0) {
        throw new HttpError(422, 'unreadable_simulation', errors.map((e) => e.error.message).join('; '));
      }
      const lookups = files.map(([, file]) => new Map(matchVariables(file.variables, { ...match, kind: 'parameter' }).map((v) => [v.name, v])));
      const names = [...new Set(lookups.flatMap((lookup) => [...lookup.keys()]))].sort();
      const rows = names
        .map((name) => {
          const infos = lookups.map((lookup) => lookup.get(name));
          const first = infos.find((info) => info !== undefined)!;
          return { name, description: first.description, unit: first.unit, values: infos.map(parameterValue) };
        })
        .filter((row) => all || !allEqual(row.values));
      return { simulations: files.map(([id]) => id), items: rows.slice(offset, offset + limit), total: rows.length };
    }
  );
}
