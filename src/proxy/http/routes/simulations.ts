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

function matchesSearch(info: VariableInfo, needle: string | undefined): boolean {
  return !needle || info.name.toLowerCase().includes(needle) || info.description.toLowerCase().includes(needle);
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
      const matches = file.variables.filter((v) => (!kind || v.kind === kind) && matchesSearch(v, needle));
      return { items: matches.slice(offset, offset + limit).map(toVariable), total: matches.length };
    }
  );
}
