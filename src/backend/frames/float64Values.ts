/**
 * A frame field's numbers kept in the Float64Array they were computed or received in, instead of
 * a JS array of them: a 20-series query carries 70,000 numbers, and copying them into JS arrays
 * (and back into typed arrays for Arrow) was a large part of its time and of its garbage.
 *
 * The array may be a view of a series answer's bytes, which the response cache may also hold:
 * nothing may write to it. Missing values are marked in `validity` (one bit per row, set where
 * the value is present, as in Arrow); without it every value is present, NaN and ±Infinity too.
 */
export class Float64Values {
  private constructor(
    readonly array: Float64Array,
    /** Undefined when no value is missing. */
    readonly validity: Uint8Array | undefined,
    readonly nullCount: number
  ) {}

  /** Every value present, whatever it is (times, seconds on a numeric axis). */
  static of(array: Float64Array): Float64Values {
    return new Float64Values(array, undefined, 0);
  }

  /** A series answer's samples: NaN and ±Infinity are its missing values (null in the JSON answer). */
  static fromSamples(array: Float64Array): Float64Values {
    const nullCount = countNonFinite(array);
    return new Float64Values(array, nullCount > 0 ? finiteBitmap(array) : undefined, nullCount);
  }

  get length(): number {
    return this.array.length;
  }

  isNull(row: number): boolean {
    return this.validity !== undefined && (this.validity[row >> 3] & (1 << (row & 7))) === 0;
  }

  /** The same rows missing, the present values mapped (an affine unit conversion). */
  map(convert: (value: number) => number): Float64Values {
    const out = new Float64Array(this.array.length);
    for (let row = 0; row < out.length; row++) {
      out[row] = this.isNull(row) ? this.array[row] : convert(this.array[row]);
    }
    return new Float64Values(out, this.validity, this.nullCount);
  }

  /** As a JS array, null where a value is missing (frame JSON, tests). */
  toArray(): Array<number | null> {
    return Array.from(this.array, (value, row) => (this.isNull(row) ? null : value));
  }
}

function countNonFinite(array: Float64Array): number {
  let count = 0;
  for (let row = 0; row < array.length; row++) {
    // v - v is NaN exactly for NaN and ±Infinity.
    const value = array[row];
    if (value - value !== 0) {
      count++;
    }
  }
  return count;
}

function finiteBitmap(array: Float64Array): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(array.length / 8));
  for (let row = 0; row < array.length; row++) {
    const value = array[row];
    if (value - value === 0) {
      bitmap[row >> 3] |= 1 << (row & 7);
    }
  }
  return bitmap;
}
