/**
 * M4 over samples that arrive in chunks, in index order: the same buckets and the same picks as
 * m4Indices (m4.ts), without ever holding a whole column. A first read of a long file then needs
 * memory for its chunks and its output only: materializing 20 columns of 1.25 million samples
 * cost more in fresh-page faults than reading the gigabyte they came from.
 */

/** The bucket layout m4Indices derives from a range: `t0` is its first time, `span` its extent. */
export interface M4Plan {
  t0: number;
  span: number;
  buckets: number;
}

export function m4Plan(firstTime: number, lastTime: number, maxPoints: number): M4Plan {
  return { t0: firstTime, span: lastTime - firstTime, buckets: Math.max(1, Math.floor(maxPoints / 4)) };
}

/** End time (exclusive) of bucket `b`; the last bucket, and a range without extent, take the rest. */
export function bucketEnd(plan: M4Plan, b: number): number {
  const { t0, span, buckets } = plan;
  return b === buckets - 1 || !(span > 0) ? Infinity : t0 + ((b + 1) * span) / buckets;
}

/** Kept points of one series, appended in index order. */
export class PointList {
  private time: Float64Array;
  private values: Float64Array;
  private length = 0;
  private lastIndex = -1;

  /** `capacity`: the points expected, at most four per bucket (more are room made for). */
  constructor(capacity = 64) {
    this.time = new Float64Array(Math.max(1, capacity));
    this.values = new Float64Array(Math.max(1, capacity));
  }

  push(index: number, time: number, value: number): void {
    if (index === this.lastIndex) {
      return;
    }
    if (this.length === this.time.length) {
      this.time = grown(this.time);
      this.values = grown(this.values);
    }
    this.time[this.length] = time;
    this.values[this.length] = value;
    this.length++;
    this.lastIndex = index;
  }

  /** The points kept: views, as the list is done with. */
  series(): { time: Float64Array; values: Float64Array } {
    return { time: this.time.subarray(0, this.length), values: this.values.subarray(0, this.length) };
  }
}

function grown(values: Float64Array): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(2 * values.length);
  larger.set(values);
  return larger;
}

/**
 * One chunk of samples as strided views, so that rows of a binTrans file can be scanned where they
 * were read, without gathering columns first: row r's time is `time[timeAt + r * stride]`, and
 * series k's value is `signs[k] * values[k][valueAt[k] + r * stride]` (a sign of -1 for negated
 * aliases).
 */
export interface ChunkRows {
  time: Float64Array | Float32Array;
  timeAt: number;
  values: ReadonlyArray<Float64Array | Float32Array>;
  valueAt: Int32Array;
  signs: Float64Array;
  stride: number;
}

/** Separate columns as a chunk: `time[r]` and `values[k][r]`, none negated. */
export function columnChunk(time: Float64Array, values: readonly Float64Array[]): ChunkRows {
  return {
    time,
    timeAt: 0,
    values,
    valueAt: new Int32Array(values.length),
    signs: new Float64Array(values.length).fill(1),
    stride: 1,
  };
}

export class M4Stream {
  private bucket = 0;
  private threshold: number;
  private open = false;
  private startIndex = 0;
  private startTime = 0;
  private lastIndex = 0;
  private lastTime = 0;
  // Per series, for the open bucket (typed arrays keep the hot loop free of object lookups).
  private readonly firstValue: Float64Array;
  private readonly lastValue: Float64Array;
  private readonly minValue: Float64Array;
  private readonly minIndex: Float64Array;
  private readonly minTime: Float64Array;
  private readonly maxValue: Float64Array;
  private readonly maxIndex: Float64Array;
  private readonly maxTime: Float64Array;
  private readonly out: PointList[];
  private readonly picks = new FourPicks();

  constructor(
    private readonly plan: M4Plan,
    private readonly series: number
  ) {
    const column = () => new Float64Array(series);
    this.firstValue = column();
    this.lastValue = column();
    this.minValue = column();
    this.minIndex = column();
    this.minTime = column();
    this.maxValue = column();
    this.maxIndex = column();
    this.maxTime = column();
    this.out = Array.from({ length: series }, () => new PointList(4 * plan.buckets));
    this.threshold = bucketEnd(plan, 0);
  }

  /** Rows `[0, count)` of a chunk (see ChunkRows); row r is sample `base + r`. */
  feed(rows: ChunkRows, count: number, base: number): void {
    const { time, timeAt, stride } = rows;
    let r = 0;
    while (r < count) {
      if (this.open && time[timeAt + r * stride] >= this.threshold) {
        this.closeBucket();
      }
      while (time[timeAt + r * stride] >= this.threshold) {
        this.bucket++;
        this.threshold = bucketEnd(this.plan, this.bucket);
      }
      if (!this.open) {
        this.openBucket(rows, r, base);
      }
      let end = r;
      while (end < count && !(time[timeAt + end * stride] >= this.threshold)) {
        end++;
      }
      this.scan(rows, r, end, base);
      r = end;
    }
  }

  /** The kept points of each series. */
  finish(): Array<{ time: Float64Array; values: Float64Array }> {
    if (this.open) {
      this.closeBucket();
    }
    return this.out.map((list) => list.series());
  }

  private openBucket({ time, timeAt, values, valueAt, signs, stride }: ChunkRows, r: number, base: number): void {
    this.open = true;
    this.startIndex = base + r;
    this.startTime = time[timeAt + r * stride];
    for (let k = 0; k < this.series; k++) {
      this.firstValue[k] = signs[k] * values[k][valueAt[k] + r * stride];
      this.minValue[k] = Infinity;
      this.maxValue[k] = -Infinity;
      this.minIndex[k] = -1;
      this.maxIndex[k] = -1;
    }
  }

  /** Rows `[r, end)` all belong to the open bucket. Positions are kept in locals: new extremes are frequent in smooth signals. */
  private scan(
    { time, timeAt, values, valueAt, signs, stride }: ChunkRows,
    r: number,
    end: number,
    base: number
  ): void {
    if (end <= r) {
      return;
    }
    for (let k = 0; k < this.series; k++) {
      const column = values[k];
      const at = valueAt[k];
      const sign = signs[k];
      let minValue = this.minValue[k];
      let maxValue = this.maxValue[k];
      let minAt = -1;
      let maxAt = -1;
      for (let i = r; i < end; i++) {
        // Times ±1 is exact (and turns 0 into -0 as negation does).
        const v = sign * column[at + i * stride];
        if (v < minValue) {
          minValue = v;
          minAt = i;
        }
        if (v > maxValue) {
          maxValue = v;
          maxAt = i;
        }
      }
      if (minAt >= 0) {
        this.minValue[k] = minValue;
        this.minIndex[k] = base + minAt;
        this.minTime[k] = time[timeAt + minAt * stride];
      }
      if (maxAt >= 0) {
        this.maxValue[k] = maxValue;
        this.maxIndex[k] = base + maxAt;
        this.maxTime[k] = time[timeAt + maxAt * stride];
      }
      this.lastValue[k] = sign * column[at + (end - 1) * stride];
    }
    this.lastIndex = base + end - 1;
    this.lastTime = time[timeAt + (end - 1) * stride];
  }

  /**
   * First, minimum, maximum and last in index order, as pushBucket in m4.ts picks them. A bucket
   * of only +Infinity (or NaN) has no minimum below Infinity, and m4.ts then takes its first
   * +Infinity: that is already the maximum's pick, so the missing minimum adds nothing (and
   * likewise for -Infinity).
   */
  private closeBucket(): void {
    this.open = false;
    const { picks } = this;
    for (let k = 0; k < this.series; k++) {
      picks.set(0, this.startIndex, this.startTime, this.firstValue[k]);
      picks.set(1, this.minIndex[k], this.minTime[k], this.minValue[k]);
      picks.set(2, this.maxIndex[k], this.maxTime[k], this.maxValue[k]);
      picks.set(3, this.lastIndex, this.lastTime, this.lastValue[k]);
      picks.emitTo(this.out[k]);
    }
  }
}

/**
 * The four candidate points of one bucket and series (first, minimum, maximum, last), emitted in
 * index order without repeats. Sorted in place: no garbage per bucket. An index of -1 (no such
 * point) is left out.
 */
export class FourPicks {
  private readonly pickIndex = new Float64Array(4);
  private readonly pickTime = new Float64Array(4);
  private readonly pickValue = new Float64Array(4);

  set(p: number, index: number, time: number, value: number): void {
    this.pickIndex[p] = index;
    this.pickTime[p] = time;
    this.pickValue[p] = value;
  }

  emitTo(list: PointList): void {
    this.sort();
    for (let p = 0; p < 4; p++) {
      if (this.pickIndex[p] >= 0) {
        list.push(this.pickIndex[p], this.pickTime[p], this.pickValue[p]);
      }
    }
  }

  /** Insertion sort of the four picks by index (invalid ones, -1, come first). */
  private sort(): void {
    const { pickIndex, pickTime, pickValue } = this;
    for (let i = 1; i < 4; i++) {
      const index = pickIndex[i];
      const time = pickTime[i];
      const value = pickValue[i];
      let j = i - 1;
      while (j >= 0 && pickIndex[j] > index) {
        pickIndex[j + 1] = pickIndex[j];
        pickTime[j + 1] = pickTime[j];
        pickValue[j + 1] = pickValue[j];
        j--;
      }
      pickIndex[j + 1] = index;
      pickTime[j + 1] = time;
      pickValue[j + 1] = value;
    }
  }
}
