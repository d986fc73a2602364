/**
 * The Arrow buffers of time and number fields: timestamp[ns] and float64 values, and a validity
 * bitmap where a value is missing (with 0 under it, the SDK's zero value under a cleared bit).
 * Built straight from the field's array or Float64Values: Arrow's per-value builders cost more
 * than the decode for large series.
 */
import { Float64Values } from './float64Values';
import type { FieldValue } from './frame';
import type { NumericArrowType } from './ipcMetadata';

export interface NumericColumn {
  type: NumericArrowType;
  nullCount: number;
  /** One bit per row, set where the value is present; undefined when none is missing. */
  validity: Uint8Array | undefined;
  values: BigInt64Array | Float64Array;
}

type Values = readonly FieldValue[] | Float64Values;

const NANOS_PER_MS = 1_000_000;

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

/** Epoch milliseconds as timestamp[ns]; null rows stay 0. */
export function timeColumn(values: Values): NumericColumn {
  const length = values.length;
  const nanos = new BigInt64Array(length);
  const words = new Uint32Array(nanos.buffer, nanos.byteOffset, length * 2);
  if (values instanceof Float64Values) {
    writeNanosOf(values, nanos, words);
    return { type: 'timestamp-ns', nullCount: values.nullCount, validity: values.validity, values: nanos };
  }
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
  return { type: 'timestamp-ns', nullCount: nulls, validity: nulls > 0 ? validityBitmap(values) : undefined, values: nanos };
}

/** The nanoseconds of every present row (missing rows stay 0), as the array loop above writes them. */
function writeNanosOf(values: Float64Values, nanos: BigInt64Array, words: Uint32Array): void {
  const { array } = values;
  const anyMissing = values.nullCount > 0;
  for (let row = 0; row < array.length; row++) {
    if (anyMissing && values.isNull(row)) {
      continue;
    }
    if (!writeNanos(words, row, array[row])) {
      nanos[row] = nanosOf(array[row]);
    }
  }
}

/** Numbers as float64; 0 where a value is null or not a number, as the SDK's zero value under a cleared validity bit. */
export function numberColumn(values: Values): NumericColumn {
  if (values instanceof Float64Values) {
    const { nullCount, validity } = values;
    // The array itself when nothing is missing: the IPC file is the only copy.
    return { type: 'float64', nullCount, validity, values: nullCount > 0 ? zeroedWhereMissing(values) : values.array };
  }
  const length = values.length;
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
  return { type: 'float64', nullCount: nulls, validity: nulls > 0 ? validityBitmap(values) : undefined, values: numbers };
}

/** A copy with 0 under every missing value, as the array path writes a null. */
function zeroedWhereMissing(values: Float64Values): Float64Array {
  const numbers = values.array.slice();
  for (let row = 0; row < numbers.length; row++) {
    if (values.isNull(row)) {
      numbers[row] = 0;
    }
  }
  return numbers;
}
