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

/**
 * Revision of this contract, raised when the datasource starts to depend on routes or fields a
 * previous proxy lacks. Revision 2 added search filters, `/api/v1/variables`, parameters, their
 * diff and events; a proxy of revision 1 (0.1.x) does not report one.
 */
export const API_REVISION = 2;

export const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  simulations: Type.Integer({ minimum: 0 }),
  /** API_REVISION of the proxy; absent before revision 2. */
  api: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type Health = Static<typeof HealthSchema>;

export const ReadySchema = Type.Object({
  /** `ready` once the index is loaded and the data roots are scanned; until then 503 with `starting`. */
  status: Type.Union([Type.Literal('ready'), Type.Literal('starting')]),
  simulations: Type.Integer({ minimum: 0 }),
});
export type Ready = Static<typeof ReadySchema>;

/** `writing`: the file changed within the settle time (a simulation still running); it stays queryable. */
export const SimulationStatusSchema = Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('writing')]);
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
  /** The folder of `path` inside its root (`""` at the top), for filtering. */
  folder: Type.Optional(Type.String()),
  /** From the sidecar, else from the `model_experiment_condition_YYYYMMDD_HHMMSS` file name. */
  model: Type.Optional(Nullable(Type.String())),
  experiment: Type.Optional(Nullable(Type.String())),
  condition: Type.Optional(Nullable(Type.String())),
  /** ISO 8601 run time stamp from the file name. */
  runAt: Type.Optional(Nullable(Type.String())),
  /** From the sidecar `<file>.json`. */
  tags: Type.Optional(Type.Array(Type.String())),
  description: Type.Optional(Nullable(Type.String())),
  /** Id of the reference run named in the sidecar. */
  referenceId: Type.Optional(Nullable(Type.String())),
  /** Problems that do not make the run unusable (e.g. an invalid sidecar). */
  warnings: Type.Optional(Type.Array(Type.String())),
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

/** What the caller's API key may do on this proxy, so a client can offer uploads only when they can work. */
export const SessionSchema = Type.Object({
  scopes: Type.Array(Type.Union([Type.Literal('read'), Type.Literal('write')])),
  /** Whether the proxy has an upload root at all (its operator sets `uploadDir`). */
  uploadsEnabled: Type.Boolean(),
  /** The largest file an upload may send, in bytes; 0 when uploads are disabled. */
  maxUploadBytes: Type.Integer({ minimum: 0 }),
});
export type Session = Static<typeof SessionSchema>;

export const MAX_PAGE_SIZE = 1000;
export const MAX_QUERY_SIMULATIONS = 100;
export const MAX_QUERY_VARIABLES = 1000;

const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE_SIZE, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export const SIMULATION_SORT_KEYS = ['name', 'path', 'model', 'runAt', 'modifiedAt', 'sizeBytes', 'stopTime'] as const;
export type SimulationSortKey = (typeof SIMULATION_SORT_KEYS)[number];

export const PageQuerySchema = Type.Object(
  {
    /** Free text over name, path, model, experiment, condition, description and tags (all words must match). */
    search: Type.Optional(Type.String({ maxLength: 500 })),
    /** Runs in this folder or below it (`a/b` matches `a/b` and `a/b/c`, not `a/bc`); it may start with the root's name (`examples/a`). */
    folder: Type.Optional(Type.String({ maxLength: 1000 })),
    root: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(SimulationStatusSchema),
    tag: Type.Optional(Type.String({ maxLength: 200 })),
    sort: Type.Optional(Type.Union(SIMULATION_SORT_KEYS.map((key) => Type.Literal(key)))),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    ...Paging,
  },
  { additionalProperties: false }
);
export type PageQuery = Static<typeof PageQuerySchema>;

/** Longest glob or regular expression accepted in a variable search. */
export const MAX_PATTERN_LENGTH = 200;

const VariableMatch = {
  /** Case-insensitive substring of the name or the description. */
  search: Type.Optional(Type.String({ maxLength: 500 })),
  /** Whole-name glob: `*` any characters, `?` one; `[` and `]` are literal (array subscripts). */
  glob: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_PATTERN_LENGTH })),
  /** Regular expression matched against the whole name, in linear time (no backreferences or lookaround). */
  regex: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_PATTERN_LENGTH })),
  kind: Type.Optional(VariableKindSchema),
};

export const VariablePageQuerySchema = Type.Object({ ...VariableMatch, ...Paging }, { additionalProperties: false });
export type VariablePageQuery = Static<typeof VariablePageQuerySchema>;

export const MultiVariableQuerySchema = Type.Object(
  {
    simulation: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 100 }),
    ...VariableMatch,
    ...Paging,
  },
  { additionalProperties: false }
);
export type MultiVariableQuery = Static<typeof MultiVariableQuerySchema>;

/** A variable found in one or more simulations, with the ids of those that have it. */
export const SharedVariableSchema = Type.Intersect([VariableSchema, Type.Object({ simulations: Type.Array(Type.String()) })]);
export type SharedVariable = Static<typeof SharedVariableSchema>;
export const SharedVariablePageSchema = Type.Object({
  items: Type.Array(SharedVariableSchema),
  total: Type.Integer({ minimum: 0 }),
  /** Requested simulations that could not be searched, with the reason. */
  errors: Type.Array(Type.Object({ simulation: Type.String(), error: ErrorBodySchema.properties.error })),
});
export type SharedVariablePage = Static<typeof SharedVariablePageSchema>;

export const ParameterDiffQuerySchema = Type.Object(
  {
    simulation: Type.Array(Type.String({ maxLength: 200 }), { minItems: 2, maxItems: 100 }),
    ...VariableMatch,
    /** Also list parameters whose values agree everywhere. */
    all: Type.Optional(Type.Boolean({ default: false })),
    ...Paging,
  },
  { additionalProperties: false }
);
export type ParameterDiffQuery = Static<typeof ParameterDiffQuerySchema>;

export const ParameterDiffSchema = Type.Object({
  simulations: Type.Array(Type.String()),
  items: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      unit: Nullable(Type.String()),
      /** One per simulation, in request order; null where the run lacks the parameter or it is NaN. */
      values: Type.Array(Nullable(Type.Number())),
    })
  ),
  total: Type.Integer({ minimum: 0 }),
});
export type ParameterDiff = Static<typeof ParameterDiffSchema>;

export const EventQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.Number()),
    to: Type.Optional(Type.Number()),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 10_000 })),
  },
  { additionalProperties: false }
);
export type EventQuery = Static<typeof EventQuerySchema>;

export const EventPageSchema = Type.Object({
  /** Simulation seconds of each event (a time stamp stored twice or more), in order. */
  items: Type.Array(Type.Object({ time: Type.Number() })),
  total: Type.Integer({ minimum: 0 }),
});
export type EventPage = Static<typeof EventPageSchema>;

/** True when a requested variable name is a glob (`*`, `?`) rather than a plain name. */
export function isGlob(name: string): boolean {
  return name.includes('*') || name.includes('?');
}

/** Series one query may return once patterns are expanded. */
export const MAX_QUERY_SERIES = 500;

export const QueryRequestSchema = Type.Object(
  {
    simulations: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: MAX_QUERY_SIMULATIONS }),
    /** Names, or globs (`*`, `?`) expanded to the matching trajectories of each simulation. */
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
  /** `Boolean`, `Integer` or an enumeration type name from the file; null for Real (API revision 2). */
  valueType: Type.Optional(Nullable(Type.String())),
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

// ---------------------------------------------------------------------------------------------
// Operational figures: GET /api/v1/stats (the "Proxy operations" dashboard, through the
// datasource's `stats` query type, so it works without Prometheus). API_REVISION is not raised for
// it: only stats queries need the route, and they say so when a proxy lacks it. With several
// workers the figures are those of the worker that answered.
// ---------------------------------------------------------------------------------------------

/** Recent failures listed unless the request asks for another number. */
export const DEFAULT_STATS_FAILURES = 10;

export const StatsQuerySchema = Type.Object(
  {
    /** How many of the most recent failures to list. */
    failures: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: DEFAULT_STATS_FAILURES })),
  },
  { additionalProperties: false }
);
export type StatsQuery = Static<typeof StatsQuerySchema>;

export const StatsFailureSchema = Type.Object({
  id: Type.String(),
  root: Type.String(),
  path: Type.String(),
  /** Why the file cannot be used (the Simulation's `error`). */
  reason: Type.String(),
  /** ISO 8601: when this proxy process first found the file failing. */
  seenAt: Type.String(),
});
export type StatsFailure = Static<typeof StatsFailureSchema>;

export const StatsScanSchema = Type.Object({
  /** ISO 8601. */
  finishedAt: Type.String(),
  durationMs: Type.Number({ minimum: 0 }),
  /** Result files found under the data roots. */
  files: Type.Integer({ minimum: 0 }),
  /** Taken unchanged from the persistent index. */
  fromIndex: Type.Integer({ minimum: 0 }),
  /** Decoded because they were new or changed. */
  decoded: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  /** Reading the persistent index (part of durationMs); null when the proxy keeps none. */
  indexLoadMs: Nullable(Type.Number({ minimum: 0 })),
});
export type StatsScan = Static<typeof StatsScanSchema>;

export const StatsCacheSchema = Type.Object({
  /** `open_files` (decoded catalogues), `column_memory` (small files' columns), `layouts` (per-variable copies on disk), `responses` (query answers). */
  name: Type.String(),
  hits: Type.Integer({ minimum: 0 }),
  misses: Type.Integer({ minimum: 0 }),
  /** Bytes the cache holds, where it measures them. */
  bytes: Nullable(Type.Number({ minimum: 0 })),
});
export type StatsCache = Static<typeof StatsCacheSchema>;

export const StatsRouteSchema = Type.Object({
  /** The route pattern (`/api/v1/simulations/:id`), or `unmatched`. */
  route: Type.String(),
  method: Type.String(),
  /** Responses since the proxy started. */
  requests: Type.Integer({ minimum: 0 }),
  /** Of those, responses with status 500 or above. */
  serverErrors: Type.Integer({ minimum: 0 }),
  /** Response times over the sliding window, in milliseconds; null when no request fell in it. */
  p50Ms: Nullable(Type.Number({ minimum: 0 })),
  p95Ms: Nullable(Type.Number({ minimum: 0 })),
  p99Ms: Nullable(Type.Number({ minimum: 0 })),
  maxMs: Nullable(Type.Number({ minimum: 0 })),
});
export type StatsRoute = Static<typeof StatsRouteSchema>;

export const StatsSchema = Type.Object({
  version: Type.String(),
  /** ISO 8601: when this proxy started serving. */
  startedAt: Type.String(),
  uptimeSeconds: Type.Number({ minimum: 0 }),
  /** The index is loaded and the first scan has finished. */
  ready: Type.Boolean(),
  simulations: Type.Object({
    total: Type.Integer({ minimum: 0 }),
    ok: Type.Integer({ minimum: 0 }),
    writing: Type.Integer({ minimum: 0 }),
    error: Type.Integer({ minimum: 0 }),
  }),
  /** The files that most recently started failing, latest first. */
  recentFailures: Type.Array(StatsFailureSchema),
  indexing: Type.Object({
    /** Full scans of the data roots since start (the first at start-up). */
    scans: Type.Integer({ minimum: 0 }),
    lastScan: Nullable(StatsScanSchema),
    /** Result files described since start (scans, changes, uploads), failures, and the time it took. */
    decodes: Type.Integer({ minimum: 0 }),
    decodeErrors: Type.Integer({ minimum: 0 }),
    decodeMs: Type.Number({ minimum: 0 }),
  }),
  caches: Type.Array(StatsCacheSchema),
  requests: Type.Object({
    /** The sliding window of the quantiles, in seconds. */
    windowSeconds: Type.Integer({ minimum: 1 }),
    routes: Type.Array(StatsRouteSchema),
  }),
  memory: Type.Object({
    rssBytes: Type.Integer({ minimum: 0 }),
    heapUsedBytes: Type.Integer({ minimum: 0 }),
  }),
});
export type Stats = Static<typeof StatsSchema>;
