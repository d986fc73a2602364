/**
 * A Frame as the Arrow IPC file the SDK's `data.UnmarshalArrowFrame` reads: schema metadata
 * `name`, `refId` and `meta`; field metadata `tstype`, `labels` and `config`; time as
 * timestamp[ns]; nulls in the validity bitmap. Columns are built straight from typed arrays:
 * Arrow's per-value builders cost more than the decode for large series.
 */
import {
  Binary,
  Bool,
  Field as ArrowField,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  TimestampNanosecond,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';

import type { Field, FieldKind, FieldValue, Frame } from './frame';

const NANOS_PER_MS = 1_000_000;

interface Column {
  type: DataType;
  nullable: boolean;
  data: Data;
}

/**
 * One bit per row, set where the value is present. Only built once a column's own pass has found
 * a null: series frames have none, and a separate counting pass over every column was 1 ms of a
 * 20-series query.
 */
function validityBitmap(values: readonly FieldValue[]): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (let row = 0; row < values.length; row++) {
    if (values[row] !== null) {
      bitmap[row >> 3] |= 1 << (row & 7);
    }
  }
  return bitmap;
}

const MS_TO_NS = BigInt(NANOS_PER_MS);

export function nanosOf(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * MS_TO_NS + BigInt(Math.round((ms - whole) * NANOS_PER_MS));
}

const TWO_32 = 2 ** 32;
const TWO_21 = 2 ** 21;
const TWO_11 = 2 ** 11;
/** Whole milliseconds below this split exactly into the parts writeNanos multiplies (2^41 ms is year 2039 in epoch time, 69 years of simulation). */
const FAST_MAX_MS = 2 ** 41;

/**
 * Writes round(ms x 1e6) into row `row` of `words` (an int64 column seen as uint32 pairs, little
 * endian) with double arithmetic only: a BigInt per value cost 6 ms per query of 40,000 times.
 * Epoch milliseconds times 1e6 exceed 2^53, so the whole milliseconds m = h 2^21 + l are multiplied
 * in parts: m 1e6 + f = (h 1e6) 2^21 + (l 1e6 + f), each product exact below 2^53, and the carry
 * into the high word taken by hand. Returns false where that does not hold (negative, too large).
 */
function writeNanos(words: Uint32Array, row: number, ms: number): boolean {
  if (!(ms >= 0 && ms < FAST_MAX_MS)) {
    return false;
  }
  const whole = Math.floor(ms);
  const fraction = Math.round((ms - whole) * NANOS_PER_MS);
  const high21 = Math.floor(whole / TWO_21);
  const low21 = whole - high21 * TWO_21;
  const upper = high21 * NANOS_PER_MS; // below 2^40
  const upperHigh = Math.floor(upper / TWO_11);
  const rest = (upper - upperHigh * TWO_11) * TWO_21 + low21 * NANOS_PER_MS + fraction; // below 2^43
  const carry = Math.floor(rest / TWO_32);
  words[2 * row] = rest - carry * TWO_32;
  words[2 * row + 1] = upperHigh + carry;
  return true;
}

function timeColumn(values: readonly FieldValue[]): Column {
  const type = new TimestampNanosecond();
  const length = values.length;
  const nanos = new BigInt64Array(length);
  const words = new Uint32Array(nanos.buffer, nanos.byteOffset, length * 2);
  let nulls = 0;
  // An index loop, not forEach: this runs for every point of every series frame.
  for (let row = 0; row < length; row++) {
    const value = values[row];
    if (typeof value === 'number') {
      // Whole milliseconds and the fraction apart: epoch milliseconds times 1e6 exceed 2^53, and
      // simulation times such as 0.1 s are not whole milliseconds.
      if (!writeNanos(words, row, value)) {
        nanos[row] = nanosOf(value);
      }
    } else if (value === null) {
      nulls++;
    }
  }
  const nullBitmap = nulls > 0 ? validityBitmap(values) : undefined;
  return { type, nullable: nulls > 0, data: makeData({ type, length, nullCount: nulls, nullBitmap, data: nanos }) };
}

function numberColumn(values: readonly FieldValue[]): Column {
  const type = new Float64();
  const length = values.length;
  // Zero where a value is null or not a number, as the SDK's zero value under a cleared validity bit.
  const numbers = new Float64Array(length);
  let nulls = 0;
  for (let row = 0; row < length; row++) {
    const value = values[row];
    if (typeof value === 'number') {
      numbers[row] = value;
    } else if (value === null) {
      nulls++;
    }
  }
  const nullBitmap = nulls > 0 ? validityBitmap(values) : undefined;
  return { type, nullable: nulls > 0, data: makeData({ type, length, nullCount: nulls, nullBitmap, data: numbers }) };
}

function builtColumn<T extends DataType>(type: T, values: readonly unknown[]): Column {
  const vector = vectorFromArray(values as unknown[], type);
  const data = vector.data.length === 1 ? vector.data[0] : makeData({ type, length: 0 });
  return { type, nullable: vector.nullCount > 0, data };
}

const encoder = new TextEncoder();

function column(kind: FieldKind, values: readonly FieldValue[]): Column {
  switch (kind) {
    case 'time':
      return timeColumn(values);
    case 'number':
      return numberColumn(values);
    case 'boolean':
      return builtColumn(new Bool(), values.map((v) => (v === null ? null : Boolean(v))));
    case 'other':
      // json.RawMessage in the SDK: each value as its JSON text.
      return builtColumn(new Binary(), values.map((v) => (v === null ? null : encoder.encode(JSON.stringify(v)))));
    default:
      return builtColumn(new Utf8(), values.map((v) => (v === null ? null : String(v))));
  }
}

function fieldMetadata(field: Field): Map<string, string> {
  const metadata = new Map<string, string>([['tstype', field.type]]);
  if (field.labels && Object.keys(field.labels).length > 0) {
    metadata.set('labels', JSON.stringify(field.labels));
  }
  const config = Object.fromEntries(Object.entries(field.config ?? {}).filter(([, v]) => v !== undefined));
  if (Object.keys(config).length > 0) {
    metadata.set('config', JSON.stringify(config));
  }
  return metadata;
}

function frameMetadata(frame: Frame): Map<string, string> {
  const metadata = new Map<string, string>([
    ['name', frame.name ?? ''],
    ['refId', frame.refId ?? ''],
  ]);
  if (frame.meta && Object.keys(frame.meta).length > 0) {
    metadata.set('meta', JSON.stringify(frame.meta));
  }
  return metadata;
}

/** Fields of unequal length are an error in Grafana too; the frame's length is its first field's. */
function checkedLength(frame: Frame): number {
  const length = frame.fields[0]?.values.length ?? 0;
  const uneven = frame.fields.find((field) => field.values.length !== length);
  if (uneven) {
    throw new Error(`frame ${frame.name ?? ''}: field ${uneven.name} has ${uneven.values.length} values, ${frame.fields[0].name} has ${length}`);
  }
  return length;
}

export function frameToArrow(frame: Frame): Uint8Array {
  const length = checkedLength(frame);
  const columns = frame.fields.map((field) => column(field.type, field.values));
  const fields = frame.fields.map((field, k) => new ArrowField(field.name, columns[k].type, columns[k].nullable, fieldMetadata(field)));
  const schema = new Schema(fields, frameMetadata(frame));
  const rows = makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map((c) => c.data) });
  return tableToIPC(new Table(schema, [new RecordBatch(schema, rows)]), 'file');
}
