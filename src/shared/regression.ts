/**
 * The regression check's HTTP contract: a run against its reference inside a tolerance tube
 * (`POST /api/v1/simulations/{id}/compare`), every run of a folder or search at once
 * (`POST /api/v1/compare`), and naming a run's reference (`PUT /api/v1/simulations/{id}/reference`).
 * Shared by the proxy, the backend and the app, like api.ts.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

import { MAX_PATTERN_LENGTH } from './api';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const MAX_COMPARE_VARIABLES = 1000;
/** Runs one batch request compares at most. */
export const MAX_BATCH_RUNS = 500;
export const DEFAULT_BATCH_RUNS = 200;
/** Failing intervals listed per variable unless a request asks for another number. */
export const DEFAULT_MAX_INTERVALS = 100;
export const MAX_INTERVALS = 10_000;

export const TolerancesSchema = Type.Object(
  {
    /** In the variable's own unit. */
    absolute: Type.Optional(Type.Number({ minimum: 0 })),
    /** A fraction: 0.002 is 0.2 %. */
    relative: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** `range`: of the reference's range of values (csv-compare); `value`: of |y| at each point (the funnel's ltoly). */
    relativeTo: Type.Optional(Type.Union([Type.Literal('range'), Type.Literal('value')])),
    /** Half-width of the tube in simulation seconds; null or absent: `relative` times the reference's duration. */
    time: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  },
  { additionalProperties: false }
);
export type TolerancesInput = Static<typeof TolerancesSchema>;

const ResolvedTolerancesSchema = Type.Object({
  absolute: Type.Number(),
  relative: Type.Number(),
  relativeTo: Type.Union([Type.Literal('range'), Type.Literal('value')]),
  time: Nullable(Type.Number()),
});

const CompareFields = {
  /**
   * Names or globs (`*`, `?`) of trajectories, matched in the reference (and the run, so that
   * variables only one side has are reported). Default: every trajectory of either.
   */
  variables: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: MAX_PATTERN_LENGTH }), { minItems: 1, maxItems: MAX_COMPARE_VARIABLES })
  ),
  tolerances: Type.Optional(TolerancesSchema),
  maxIntervals: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INTERVALS })),
};

export const CompareRequestSchema = Type.Object(
  {
    /** The run compared against; default: the run's reference from its sidecar. */
    referenceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...CompareFields,
    /** Also return, per variable, the run, the reference and the tube's bounds downsampled for plotting. */
    plot: Type.Optional(
      Type.Object(
        {
          maxDataPoints: Type.Integer({ minimum: 2, maximum: 100_000 }),
          from: Type.Optional(Type.Number()),
          to: Type.Optional(Type.Number()),
        },
        { additionalProperties: false }
      )
    ),
  },
  { additionalProperties: false }
);
export type CompareRequest = Static<typeof CompareRequestSchema>;

const IntervalSchema = Type.Object({ from: Type.Number(), to: Type.Number() });
export type IntervalJson = Static<typeof IntervalSchema>;

const PlotSeriesSchema = Type.Object({
  time: Type.Array(Type.Number()),
  /** NaN travels as null. */
  values: Type.Array(Nullable(Type.Number())),
});
export type PlotSeriesJson = Static<typeof PlotSeriesSchema>;

export const VariableRegressionSchema = Type.Object({
  name: Type.String(),
  unit: Nullable(Type.String()),
  displayUnit: Nullable(Type.String()),
  status: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('missing'), Type.Literal('no-overlap')]),
  missingIn: Type.Optional(Type.Union([Type.Literal('run'), Type.Literal('reference')])),
  checked: Type.Integer({ minimum: 0 }),
  outside: Type.Integer({ minimum: 0 }),
  failures: Type.Array(IntervalSchema),
  failureCount: Type.Integer({ minimum: 0 }),
  worst: Nullable(
    Type.Object({
      time: Type.Number(),
      value: Nullable(Type.Number()),
      referenceValue: Nullable(Type.Number()),
      /** Distance outside the tube, in the variable's unit (0 when inside); null when unbounded: a NaN on one side only. */
      deviation: Nullable(Type.Number()),
      /** |run − reference| over the tube's half-height: above 1 is outside. */
      relative: Nullable(Type.Number()),
    })
  ),
  nanCount: Type.Integer({ minimum: 0 }),
  plot: Type.Optional(
    Type.Object({ run: PlotSeriesSchema, reference: PlotSeriesSchema, lower: PlotSeriesSchema, upper: PlotSeriesSchema })
  ),
});
export type VariableRegression = Static<typeof VariableRegressionSchema>;

export const RegressionResultSchema = Type.Object({
  simulation: Type.String(),
  simulationName: Type.String(),
  reference: Type.String(),
  referenceName: Type.String(),
  passed: Type.Boolean(),
  tolerances: ResolvedTolerancesSchema,
  /** The tube's half-width in time as used. */
  timeTolerance: Type.Number(),
  compared: Nullable(IntervalSchema),
  runSpan: Nullable(IntervalSchema),
  referenceSpan: Nullable(IntervalSchema),
  counts: Type.Object({
    variables: Type.Integer({ minimum: 0 }),
    passed: Type.Integer({ minimum: 0 }),
    failed: Type.Integer({ minimum: 0 }),
    missing: Type.Integer({ minimum: 0 }),
  }),
  variables: Type.Array(VariableRegressionSchema),
  /** Parameters whose values differ, or that one side lacks. */
  parameters: Type.Array(
    Type.Object({
      name: Type.String(),
      unit: Nullable(Type.String()),
      value: Nullable(Type.Number()),
      referenceValue: Nullable(Type.Number()),
    })
  ),
  warnings: Type.Array(Type.String()),
});
export type RegressionResult = Static<typeof RegressionResultSchema>;

export const BatchCompareRequestSchema = Type.Object(
  {
    /** Runs to compare, by id; or select them with search, folder and tag (as the simulation list does). */
    simulations: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: MAX_BATCH_RUNS })),
    search: Type.Optional(Type.String({ maxLength: 500 })),
    folder: Type.Optional(Type.String({ maxLength: 1000 })),
    tag: Type.Optional(Type.String({ maxLength: 200 })),
    root: Type.Optional(Type.String({ maxLength: 200 })),
    /** Only runs modified at or after this ISO 8601 time ("last night's runs"). */
    modifiedSince: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BATCH_RUNS })),
    ...CompareFields,
  },
  { additionalProperties: false }
);
export type BatchCompareRequest = Static<typeof BatchCompareRequestSchema>;

export const BatchItemErrorSchema = Type.Object({
  simulation: Type.String(),
  simulationName: Type.String(),
  reference: Nullable(Type.String()),
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type BatchItemError = Static<typeof BatchItemErrorSchema>;

export const BatchCompareResponseSchema = Type.Object({
  /** One per run with a reference, in the list's order; failed comparisons carry `error`. */
  items: Type.Array(Type.Union([RegressionResultSchema, BatchItemErrorSchema])),
  /** Runs selected, with or without a reference. */
  selected: Type.Integer({ minimum: 0 }),
  /** Selected runs that name no reference (not compared). */
  withoutReference: Type.Integer({ minimum: 0 }),
  /** Runs past `limit` that were not compared. */
  truncated: Type.Integer({ minimum: 0 }),
  counts: Type.Object({
    passed: Type.Integer({ minimum: 0 }),
    failed: Type.Integer({ minimum: 0 }),
    errors: Type.Integer({ minimum: 0 }),
  }),
});
export type BatchCompareResponse = Static<typeof BatchCompareResponseSchema>;

export function isBatchItemError(item: RegressionResult | BatchItemError): item is BatchItemError {
  return 'error' in item;
}

/**
 * How far a variable's worst point is from the reference, in tube half-heights. A NaN on one side
 * has no bound and ranks above every finite deviation; null when nothing could be checked.
 */
export function severityOf(variable: VariableRegression): number | null {
  const worst = variable.worst;
  if (!worst) {
    return null;
  }
  return worst.relative ?? (worst.deviation === 0 ? 0 : Number.POSITIVE_INFINITY);
}

/** The variable that strays furthest from the reference, the one a report names for its run. */
export function worstVariableOf(result: RegressionResult): VariableRegression | undefined {
  let worst: VariableRegression | undefined;
  let worstSeverity = -1;
  for (const variable of result.variables) {
    const severity = severityOf(variable) ?? -1;
    if (severity > worstSeverity) {
      worst = variable;
      worstSeverity = severity;
    }
  }
  return worst;
}

export const SetReferenceRequestSchema = Type.Object(
  {
    /** The reference run's id (same data root); null removes the reference. */
    referenceId: Nullable(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false }
);
export type SetReferenceRequest = Static<typeof SetReferenceRequestSchema>;
