import { Type } from '@sinclair/typebox';

import {
  API_PREFIX,
  PageQuerySchema,
  SimulationPageSchema,
  SimulationSchema,
  VariablePageQuerySchema,
  VariablePageSchema,
  type Variable,
} from '../../../shared/api';
import type { Catalog } from '../../catalog/catalog';
import { isWellFormedId } from '../../catalog/ids';
import { DecodeError, type VariableInfo } from '../../decoder';
import type { App } from '../app';
import { HttpError } from '../errors';

const IdParamsSchema = Type.Object({ id: Type.String({ maxLength: 200 }) }, { additionalProperties: false });

function requireSimulation(catalog: Catalog, id: string) {
  const simulation = isWellFormedId(id) ? catalog.get(id) : undefined;
  if (!simulation) {
    throw new HttpError(404, 'not_found', `no simulation with id "${id}"`);
  }
  return simulation;
}

function toVariable(info: VariableInfo): Variable {
  const variable: Variable = {
    name: info.name,
    description: info.description,
    unit: info.unit,
    displayUnit: info.displayUnit,
    kind: info.kind,
    valueType: info.valueType,
  };
  if (info.kind === 'parameter') {
    variable.value = Number.isFinite(info.value) ? info.value : null;
  }
  return variable;
}

/**
 * How well a variable matches a search: exact name first, then names starting with it, then names
 * containing it, then descriptions containing it; undefined when it does not match at all.
 */
function searchRank(info: VariableInfo, needle: string | undefined): number | undefined {
  if (!needle) {
    return 0;
  }
  const name = info.name.toLowerCase();
  if (name === needle) {
    return 0;
  }
  if (name.startsWith(needle)) {
    return 1;
  }
  if (name.includes(needle)) {
    return 2;
  }
  return info.description.toLowerCase().includes(needle) ? 3 : undefined;
}

function searchVariables(variables: readonly VariableInfo[], needle: string | undefined, kind: string | undefined): VariableInfo[] {
  const ranked: Array<{ info: VariableInfo; rank: number }> = [];
  for (const info of variables) {
    const rank = kind && info.kind !== kind ? undefined : searchRank(info, needle);
    if (rank !== undefined) {
      ranked.push({ info, rank });
    }
  }
  // Array.prototype.sort is stable: equally good matches keep the file's order.
  return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.info);
}

export function simulationRoutes(app: App, catalog: Catalog): void {
  app.get(
    `${API_PREFIX}/simulations`,
    { schema: { querystring: PageQuerySchema, response: { 200: SimulationPageSchema } } },
    async (request) => {
      const { search, limit = 100, offset = 0 } = request.query;
      return catalog.list({ search, limit, offset });
    }
  );

  app.get(
    `${API_PREFIX}/simulations/:id`,
    { schema: { params: IdParamsSchema, response: { 200: SimulationSchema } } },
    async (request) => requireSimulation(catalog, request.params.id)
  );

  app.get(
    `${API_PREFIX}/simulations/:id/variables`,
    { schema: { params: IdParamsSchema, querystring: VariablePageQuerySchema, response: { 200: VariablePageSchema } } },
    async (request) => {
      const simulation = requireSimulation(catalog, request.params.id);
      const { search, kind, limit = 100, offset = 0 } = request.query;
      let file;
      try {
        file = await catalog.openFile(simulation.id);
      } catch (error) {
        if (error instanceof DecodeError) {
          throw new HttpError(422, 'unreadable_simulation', error.message);
        }
        throw error;
      }
      if (!file) {
        throw new HttpError(404, 'not_found', `no simulation with id "${simulation.id}"`);
      }
      const needle = search?.trim().toLowerCase();
      const matches = searchVariables(file.variables, needle, kind);
      return { items: matches.slice(offset, offset + limit).map(toVariable), total: matches.length };
    }
  );
}
