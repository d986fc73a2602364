/**
 * `GET /api/v1/simulations/:id/rows`: the rows of a run appended after a given row, for the live
 * view. It long-polls: when there is nothing new yet and the run is still being written, it waits
 * (up to `waitMs`) for the file watcher to report growth. The caller keeps the cursor (`from` and
 * `token`), so any number of readers can follow one file and none holds state on the server.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

import { SimulationStatusSchema } from './api';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const MAX_LIVE_VARIABLES = 200;
export const MAX_ROWS_PER_ANSWER = 200_000;
export const DEFAULT_ROWS_PER_ANSWER = 50_000;
export const MAX_LIVE_WAIT_MS = 25_000;

export const RowsQuerySchema = Type.Object(
  {
    /** Variable names or globs (`pipe[*].T`). */
    variable: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { minItems: 1, maxItems: MAX_LIVE_VARIABLES }),
    /** The first row wanted (0-based): the `from + rows` of the previous answer. */
    from: Type.Optional(Type.Integer({ minimum: 0 })),
    /** The `token` of the previous answer; when the file is no longer that version, the answer restarts at row 0 with `reset`. */
    token: Type.Optional(Type.String({ maxLength: 200 })),
    /** How long to wait for new rows when there are none yet (0: answer at once). */
    waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_LIVE_WAIT_MS })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROWS_PER_ANSWER })),
  },
  { additionalProperties: false }
);
export type RowsQuery = Static<typeof RowsQuerySchema>;

export const RowsSeriesSchema = Type.Object({
  /** As requested (a glob for every variable it matched). */
  variable: Type.String(),
  resolvedName: Type.String(),
  unit: Nullable(Type.String()),
  displayUnit: Nullable(Type.String()),
  valueType: Nullable(Type.String()),
  description: Type.String(),
  /** NaN and infinities travel as null. */
  values: Type.Array(Nullable(Type.Number())),
});
export type RowsSeries = Static<typeof RowsSeriesSchema>;

export const RowsAnswerSchema = Type.Object({
  simulation: Type.String(),
  /** The version of the file these rows belong to: changes when it is truncated, rewritten or replaced. */
  token: Type.String(),
  /** The file is not the version `token` named (or lost rows): everything read before is void, and `from` is 0. */
  reset: Type.Boolean(),
  from: Type.Integer({ minimum: 0 }),
  /** More rows are on disk already: ask again at once (this answer stopped at `limit`). */
  more: Type.Boolean(),
  status: SimulationStatusSchema,
  /** No more rows will come: the file has settled and this answer reaches its end. */
  settled: Type.Boolean(),
  /** The experiment's start and stop time when the file states them before the run ends. */
  span: Nullable(Type.Object({ start: Type.Number(), stop: Type.Number() })),
  /** Simulation seconds of rows from .. from + time.length. */
  time: Type.Array(Type.Number()),
  series: Type.Array(RowsSeriesSchema),
  /** Requested names (or globs) that match nothing in the file. */
  missing: Type.Array(Type.String()),
});
export type RowsAnswer = Static<typeof RowsAnswerSchema>;
