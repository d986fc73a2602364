/**
 * A query answer with each series' samples in Float64Arrays instead of JS arrays, for a client
 * that only passes them on (the backend writes them straight into Arrow frames). From a binary
 * answer they are views of its bytes (seriesWire.ts), not copies; from a JSON answer (an older
 * proxy) they are converted, null becoming NaN. Either way NaN and ±Infinity mark the values
 * the JSON answer has as null, and the samples are only read, never written.
 */
import { Kind, Type, TypeRegistry, type Static } from '@sinclair/typebox';

import { SeriesErrorSchema, SeriesSchema, type Series, type SeriesError } from './api';

const FLOAT64_ARRAY_KIND = 'SimVizFloat64Array';

if (!TypeRegistry.Has(FLOAT64_ARRAY_KIND)) {
  TypeRegistry.Set(FLOAT64_ARRAY_KIND, (_schema, value) => value instanceof Float64Array);
}

export const Float64ArraySchema = Type.Unsafe<Float64Array>({ [Kind]: FLOAT64_ARRAY_KIND });

/** A Series of the contract (api.ts), its `time` and `values` as Float64Arrays. */
export const SeriesColumnsSchema = Type.Composite([Type.Omit(SeriesSchema, ['time', 'values']), Type.Object({ time: Float64ArraySchema, values: Float64ArraySchema })]);
export type SeriesColumns = Omit<Series, 'time' | 'values'> & Static<typeof SeriesColumnsSchema>;

export const QueryColumnsSchema = Type.Object({
  series: Type.Array(Type.Union([SeriesColumnsSchema, SeriesErrorSchema])),
});
export interface QueryColumns {
  series: Array<SeriesColumns | SeriesError>;
}

export const isNumber = (value: unknown): value is number => typeof value === 'number';
export const isNumberOrNull = (value: unknown): value is number | null => value === null || typeof value === 'number';

/**
 * A JSON answer (an older proxy's) in the columns form: each series' arrays converted where they
 * hold what the contract says (numbers, and numbers or null); anything else is left as it is, for
 * the schema check to refuse as QueryResponseSchema refuses it.
 */
export function jsonAnswerAsColumns(answer: unknown): unknown {
  const series = (answer as { series?: unknown } | null)?.series;
  if (!Array.isArray(series)) {
    return answer;
  }
  return {
    ...(answer as object),
    series: series.map((entry: unknown) => {
      const { time, values } = (entry ?? {}) as { time?: unknown; values?: unknown };
      if (!Array.isArray(time) || !Array.isArray(values) || !time.every(isNumber) || !values.every(isNumberOrNull)) {
        return entry;
      }
      return { ...(entry as object), time: Float64Array.from(time), values: Float64Array.from(values, (value) => value ?? Number.NaN) };
    }),
  };
}
