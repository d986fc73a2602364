import { Type } from '@sinclair/typebox';

import {
  API_PREFIX,
  EventPageSchema,
  EventQuerySchema,
  PageQuerySchema,
  SimulationPageSchema,
  SimulationSchema,
  VariablePageQuerySchema,
  VariablePageSchema,
  type Variable,
} from '../../../shared/api';
import type { Catalog } from '../../../engine/catalog/catalog';
import { clipRange } from '../../../engine/decoder/clip';
import { eventTimes } from '../../../engine/decoder/events';
import type { VariableInfo } from '../../../engine/decoder';
import type { App } from '../app';
import { matchVariables, requireFile, requireSimulation } from './lookup';

const IdParamsSchema = Type.Object({ id: Type.String({ maxLength: 200 }) }, { additionalProperties: false });

export function toVariable(info: VariableInfo): Variable {
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

export function simulationRoutes(app: App, catalog: Catalog): void {
  app.get(
    `${API_PREFIX}/simulations`,
    { schema: { querystring: PageQuerySchema, response: { 200: SimulationPageSchema } } },
    async (request) => {
      const { limit = 100, offset = 0, ...filter } = request.query;
      return catalog.list({ ...filter, limit, offset });
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
      const { limit = 100, offset = 0, ...match } = request.query;
      const file = await requireFile(catalog, request.params.id);
      const matches = matchVariables(file.variables, match);
      return { items: matches.slice(offset, offset + limit).map(toVariable), total: matches.length };
    }
  );

  app.get(
    `${API_PREFIX}/simulations/:id/parameters`,
    {
      schema: {
        params: IdParamsSchema,
        querystring: Type.Omit(VariablePageQuerySchema, ['kind'], { additionalProperties: false }),
        response: { 200: VariablePageSchema },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, ...match } = request.query;
      const file = await requireFile(catalog, request.params.id);
      const matches = matchVariables(file.variables, { ...match, kind: 'parameter' });
      return { items: matches.slice(offset, offset + limit).map(toVariable), total: matches.length };
    }
  );

  app.get(
    `${API_PREFIX}/simulations/:id/events`,
    { schema: { params: IdParamsSchema, querystring: EventQuerySchema, response: { 200: EventPageSchema } } },
    async (request) => {
      const { from, to, limit = 10_000 } = request.query;
      const file = await requireFile(catalog, request.params.id);
      const time = await file.readTime();
      const range = clipRange(time, from, to);
      const inRange = eventTimes(time.subarray(range.first, range.end)).filter(
        (t) => (from === undefined || t >= from) && (to === undefined || t <= to)
      );
      return { items: inRange.slice(0, limit).map((t) => ({ time: t })), total: inRange.length };
    }
  );
}
