/**
 * The M4 picks of one bucket (first, minimum, maximum and last, in row order, without repeats),
 * taken by M4Stream (query/m4-stream.ts) on a plan of a single bucket, so that a live series keeps
 * exactly the points, ties and NaN/infinity rules of the whole-column M4.
 *
 * The picks of a bucket stand for all of its rows: the M4 picks of (picks of A, then more rows B)
 * are those of (A, then B). The first and last are kept; the first minimum of A is in its picks
 * and nothing in A is lower, so it still wins against B's on a tie (it comes first); likewise the
 * maximum; and a bucket of only NaN and +Infinity keeps its first +Infinity as its maximum, which
 * is the point m4.ts falls back to for its minimum. So a bucket that grows over many batches, and
 * buckets merged by a widening, need their picks only, never their rows.
 */
import { M4Stream, m4Plan, type ChunkRows } from '../query/m4-stream';

/** Points in row order, as typed arrays with a length: a bucket's picks, or the final points of a series. */
export class PointBuffer {
  time: Float64Array;
  values: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.time = new Float64Array(Math.max(1, capacity));
    this.values = new Float64Array(Math.max(1, capacity));
  }

  push(time: number, value: number): void {
    if (this.length === this.time.length) {
      this.time = doubled(this.time, this.length);
      this.values = doubled(this.values, this.length);
    }
    this.time[this.length] = time;
    this.values[this.length] = value;
    this.length++;
  }

  /** Replaces the points with `time` and `values` (at most the capacity left after `at`), from index `at` on. */
  setFrom(at: number, time: Float64Array, values: Float64Array): void {
    this.time.set(time, at);
    this.values.set(values, at);
    this.length = at + time.length;
  }
}

function doubled(values: Float64Array, length: number): Float64Array {
  const larger = new Float64Array(2 * values.length);
  larger.set(values.subarray(0, length));
  return larger;
}

/** Every time and value is taken with a sign of 1. */
const UNSIGNED = Float64Array.of(1);
const ONE_BUCKET = m4Plan(0, 0, 4);

/**
 * Picks of one bucket from runs of points fed in row order. One picker per bucket and batch: a
 * batch of a live series touches one bucket or two, and M4Stream has no reset.
 */
export class BucketPicker {
  private readonly stream = new M4Stream(ONE_BUCKET, 1);
  /** Points fed so far: M4Stream orders and deduplicates picks by their position in its input. */
  private fed = 0;

  /** Points `[start, end)` of `time` and `values`, after all points fed before. */
  add(time: Float64Array, values: Float64Array, start: number, end: number): this {
    if (end > start) {
      this.stream.feed(runOf(time, values, start), end - start, this.fed);
      this.fed += end - start;
    }
    return this;
  }

  /** Writes the picks into `out` from index `at` on (the picker is spent). */
  writeTo(out: PointBuffer, at = 0): void {
    const [picks] = this.stream.finish();
    out.setFrom(at, picks.time, picks.values);
  }
}

function runOf(time: Float64Array, values: Float64Array, start: number): ChunkRows {
  return { time, timeAt: start, values: [values], valueAt: Int32Array.of(start), signs: UNSIGNED, stride: 1 };
}
