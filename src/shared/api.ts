/**
 * The SimViz proxy's HTTP contract, shared by the proxy (which validates requests and documents
 * responses with these schemas) and the datasource (which validates what it receives).
 * Keep it backwards compatible: fields may be added, never removed or retyped.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const API_PREFIX = '/api/v1';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
  }),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;

export const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  simulations: Type.Integer({ minimum: 0 }),
});
export type Health = Static<typeof HealthSchema>;

export const SimulationStatusSchema = Type.Union([Type.Literal('ok'), Type.Literal('error')]);
export type SimulationStatus = Static<typeof SimulationStatusSchema>;

export const SimulationSchema = Type.Object({
  /** Opaque, URL-safe and stable across restarts for the same file. */
  id: Type.String(),
  /** The file name without its extension. */
  name: Type.String(),
  /** Path relative to its data root, with `/` separators. */
  path: Type.String(),
  /** Name of the data root the file lives in. */
  root: Type.String(),
  format: Type.String(),
  status: SimulationStatusSchema,
  /** Why the file cannot be used; present when status is "error". */
  error: Type.Optional(Type.String()),
  variableCount: Type.Integer({ minimum: 0 }),
  timePointCount: Type.Integer({ minimum: 0 }),
  startTime: Nullable(Type.Number()),
  stopTime: Nullable(Type.Number()),
  sizeBytes: Type.Integer({ minimum: 0 }),
  /** ISO 8601. */
  modifiedAt: Type.String(),
});
export type Simulation = Static<typeof SimulationSchema>;

export const VariableKindSchema = Type.Union([Type.Literal('time'), Type.Literal('trajectory'), Type.Literal('parameter')]);
export type VariableKind = Static<typeof VariableKindSchema>;

export const VariableSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  unit: Nullable(Type.String()),
  displayUnit: Nullable(Type.String()),
  kind: VariableKindSchema,
  /** `Boolean`, `Integer` or an enumeration type name, when the file says so. */
  valueType: Nullable(Type.String()),
  /** The value of a parameter. */
  value: Type.Optional(Nullable(Type.Number())),
});
export type Variable = Static<typeof VariableSchema>;

export const pageSchema = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ minimum: 0 }),
  });
export const SimulationPageSchema = pageSchema(SimulationSchema);
export type SimulationPage = Static<typeof SimulationPageSchema>;
export const VariablePageSchema = pageSchema(VariableSchema);
export type VariablePage = Static<typeof VariablePageSchema>;

export const MAX_PAGE_SIZE = 1000;
export const MAX_QUERY_SIMULATIONS = 100;
export const MAX_QUERY_VARIABLES = 1000;

export const PageQuerySchema = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE_SIZE, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false }
);
export type PageQuery = Static<typeof PageQuerySchema>;

export const VariablePageQuerySchema = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE_SIZE, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
    kind: Type.Optional(VariableKindSchema),
  },
  { additionalProperties: false }
);
export type VariablePageQuery = Static<typeof VariablePageQuerySchema>;

export const QueryRequestSchema = Type.Object(
  {
    simulations: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: MAX_QUERY_SIMULATIONS }),
    variables: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { minItems: 1, maxItems: MAX_QUERY_VARIABLES }),
    /** Simulation seconds. */
    from: Type.Optional(Type.Number()),
    to: Type.Optional(Type.Number()),
    /** Upper bound of points per series; M4 downsampling applies above it. */
    maxDataPoints: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  },
  { additionalProperties: false }
);
export type QueryRequest = Static<typeof QueryRequestSchema>;

export const SeriesSchema = Type.Object({
  simulation: Type.String(),
  /** The variable name as requested. */
  variable: Type.String(),
  simulationName: Type.String(),
  /** The variable name as stored in the file (differs when a tolerant lookup matched). */
  resolvedName: Type.String(),
  unit: Nullable(Type.String()),
  displayUnit: Nullable(Type.String()),
  description: Type.String(),
  kind: VariableKindSchema,
  /** Simulation seconds. */
  time: Type.Array(Type.Number()),
  /** NaN and infinities travel as null, as JSON has no such numbers. */
  values: Type.Array(Nullable(Type.Number())),
  /** Points in the clipped range before downsampling. */
  pointsInRange: Type.Integer({ minimum: 0 }),
  downsampled: Type.Boolean(),
});
export type Series = Static<typeof SeriesSchema>;

export const SeriesErrorSchema = Type.Object({
  simulation: Type.String(),
  variable: Type.String(),
  error: ErrorBodySchema.properties.error,
});
export type SeriesError = Static<typeof SeriesErrorSchema>;

export const QueryResponseSchema = Type.Object({
  series: Type.Array(Type.Union([SeriesSchema, SeriesErrorSchema])),
});
export type QueryResponse = Static<typeof QueryResponseSchema>;

export function isSeriesError(entry: Series | SeriesError): entry is SeriesError {
  return 'error' in entry;
}
