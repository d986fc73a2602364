/**
 * `GET /api/v1/simulations/:id/rows`: the rows of a run appended after a given row, for the live
 * view. It long-polls: when there is nothing new yet and the run is still being written, it waits
 * (up to `waitMs`) for the file watcher to report growth. The caller keeps the cursor (`from` and
 * `token`), so any number of readers can follow one file and none holds state on the server.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

import { SimulationStatusSchema } from './api';
import { Float64ArraySchema, isNumber, isNumberOrNull } from './seriesColumns';
import { decodeFramedHead, encodeFramed, float64At, hasMagic, SeriesWireError } from './seriesWire';

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

/**
 * The binary form of a rows answer, asked for with `Accept: ROWS_MEDIA_TYPE` (the backend's live
 * feed does): the framing of seriesWire.ts with the magic "SVR1"; the head is the JSON answer
 * without `time` and without each series' `values`, plus `rows` (their length); then the `rows`
 * times, then each series' `rows` values, as float64 (NaN and infinities as they are). A run
 * that is millions of rows long when a live panel opens is caught up in answers of 50,000 rows:
 * as JSON text each cost more to write and parse than to read from the file.
 */
export const ROWS_MEDIA_TYPE = 'application/vnd.simviz.rows';
export const ROWS_MAGIC = 'SVR1';

export const RowsSeriesColumnsSchema = Type.Composite([Type.Omit(RowsSeriesSchema, ['values']), Type.Object({ values: Float64ArraySchema })]);
/** What a series of the answer says of its variable (everything but its values). */
export type RowsSeriesMeta = Omit<RowsSeries, 'values'>;
export type RowsSeriesColumns = RowsSeriesMeta & { values: Float64Array };

/** A rows answer with its numbers in Float64Arrays, NaN where the JSON answer has null. */
export const RowsColumnsSchema = Type.Composite([
  Type.Omit(RowsAnswerSchema, ['time', 'series']),
  Type.Object({ time: Float64ArraySchema, series: Type.Array(RowsSeriesColumnsSchema) }),
]);
export type RowsColumns = Omit<RowsAnswer, 'time' | 'series'> & { time: Float64Array; series: RowsSeriesColumns[] };

export function encodeRowsAnswer({ time, series, ...rest }: RowsColumns): Uint8Array {
  const head = JSON.stringify({ ...rest, rows: time.length, series: series.map(({ values: _values, ...meta }) => meta) });
  return encodeFramed(ROWS_MAGIC, head, [time, ...series.map((entry) => entry.values)]);
}

export function isRowsAnswer(bytes: Uint8Array): boolean {
  return hasMagic(bytes, ROWS_MAGIC);
}

/**
 * The binary answer as RowsColumns, for the caller to validate against RowsColumnsSchema. The
 * arrays are views of `bytes` where aligned: read them, never write them. Throws SeriesWireError
 * when the bytes do not hold what their head says.
 */
export function decodeRowsColumns(bytes: Uint8Array): unknown {
  const { head, dataStart } = decodeFramedHead(bytes, ROWS_MAGIC, 'rows answer');
  const { rows, series, ...rest } = (head ?? {}) as { rows?: unknown; series?: unknown };
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0 || !Array.isArray(series)) {
    throw new SeriesWireError('the head has no row count or no list of series');
  }
  if (dataStart + (1 + series.length) * rows * Float64Array.BYTES_PER_ELEMENT !== bytes.length) {
    throw new SeriesWireError(`the answer does not hold ${rows} rows of time and ${series.length} series`);
  }
  const column = (k: number) => float64At(bytes, dataStart + k * rows * Float64Array.BYTES_PER_ELEMENT, rows);
  return { ...rest, time: column(0), series: series.map((meta: unknown, k) => ({ ...(meta as object), values: column(k + 1) })) };
}

/** A JSON answer (an older proxy's) as RowsColumns where its arrays hold what the contract says; anything else is left for the schema check to refuse. */
export function jsonRowsAsColumns(answer: unknown): unknown {
  const { time, series } = (answer ?? {}) as { time?: unknown; series?: unknown };
  if (!Array.isArray(time) || !time.every(isNumber) || !Array.isArray(series)) {
    return answer;
  }
  return {
    ...(answer as object),
    time: Float64Array.from(time),
    series: series.map((entry: unknown) => {
      const values = (entry as { values?: unknown } | null)?.values;
      return Array.isArray(values) && values.every(isNumberOrNull) ? { ...(entry as object), values: Float64Array.from(values, (v) => v ?? Number.NaN) } : entry;
    }),
  };
}
