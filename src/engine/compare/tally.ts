import type { Interval, WorstDeviation } from './types';

/**
 * One checked run sample, as the tube saw it. `high`/`low`: the reference's own extremes in the
 * window (NaN when it holds no finite value); `upper`/`lower`: the tube's bounds, or NaN while
 * the half-height is not known yet (relative to a range still being read).
 */
export interface Sample {
  index: number;
  time: number;
  value: number;
  high: number;
  low: number;
  upper: number;
  lower: number;
  hasNaN: boolean;
  referenceValue: number;
}

/** Where the sample lies, with final bounds: inside or not, its distance outside the tube and from the reference's range. */
function judge(
  s: Sample,
  constantHeight: number | null
): { inside: boolean; deviation: number; distance: number; half: number } {
  const x = s.value;
  if (x !== x || !(s.high >= s.low)) {
    const inside = x !== x && s.hasNaN;
    return { inside, deviation: inside ? 0 : Infinity, distance: inside ? 0 : Infinity, half: 1 };
  }
  const inside = !(x > s.upper) && !(x < s.lower);
  const deviation = x > s.upper ? x - s.upper : x < s.lower ? s.lower - x : 0;
  const distance = x > s.high ? x - s.high : x < s.low ? s.low - x : 0;
  const half = constantHeight ?? (x > s.high ? s.upper - s.high : s.low - s.lower);
  return { inside, deviation, distance, half };
}

function relativeOf(distance: number, half: number): number {
  if (distance === Infinity) {
    return Infinity;
  }
  const relative = half > 0 ? distance / half : distance > 0 ? Infinity : 0;
  return relative === relative ? relative : 0;
}

/** Samples kept until the half-height is known, in typed columns (a few per variable, as a rule). */
class Deferred {
  length = 0;
  private columns = Array.from({ length: 8 }, () => new Float64Array(64));
  private flags = new Uint8Array(64);

  push(s: Sample): void {
    if (this.length === this.flags.length) {
      this.columns = this.columns.map((c) => grow(c));
      const flags = new Uint8Array(this.flags.length * 2);
      flags.set(this.flags);
      this.flags = flags;
    }
    const at = this.length++;
    const [index, time, value, high, low, upper, lower, referenceValue] = this.columns;
    index[at] = s.index;
    time[at] = s.time;
    value[at] = s.value;
    high[at] = s.high;
    low[at] = s.low;
    upper[at] = s.upper;
    lower[at] = s.lower;
    referenceValue[at] = s.referenceValue;
    this.flags[at] = s.hasNaN ? 1 : 0;
  }

  /** The samples kept, in order, into `s` one at a time. */
  forEach(s: Sample, visit: (s: Sample) => void): void {
    const [index, time, value, high, low, upper, lower, referenceValue] = this.columns;
    for (let at = 0; at < this.length; at++) {
      s.index = index[at];
      s.time = time[at];
      s.value = value[at];
      s.high = high[at];
      s.low = low[at];
      s.upper = upper[at];
      s.lower = lower[at];
      s.referenceValue = referenceValue[at];
      s.hasNaN = this.flags[at] === 1;
      visit(s);
    }
  }
}

function grow(column: Float64Array): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(column.length * 2);
  larger.set(column);
  return larger;
}

/**
 * What the check of one variable found, gathered sample by sample in time order: counts, the
 * failing intervals (consecutive samples outside merged into one) and the worst deviation (the
 * largest distance outside the tube; among equals, and when inside everywhere, the largest
 * distance from the reference's own range in the window).
 */
export class VariableTally {
  checked = 0;
  outside = 0;
  nanCount = 0;
  failureCount = 0;
  readonly failures: Interval[] = [];
  private current: Interval | null = null;
  private lastOutside = -2;
  private worst: {
    key: number;
    distance: number;
    half: number | null;
    index: number;
    time: number;
    value: number;
    referenceValue: number;
  } | null = null;
  private readonly deferred = new Deferred();

  constructor(private readonly maxIntervals: number) {}

  /** Samples found inside by a caller that keeps to `insideThreshold` (ConstantTube's loop). */
  addChecked(count: number): void {
    this.checked += count;
  }

  /** The distance from the reference's range an inside sample must exceed to become the worst (Infinity once a sample is outside). */
  insideThreshold(): number {
    const worst = this.worst;
    return worst === null ? -1 : worst.key > 0 ? Infinity : worst.distance;
  }

  /** Samples whose verdict waits for the half-height (see `settle`). */
  get deferredCount(): number {
    return this.deferred.length;
  }

  /**
   * A sample with final bounds. `constantHeight`: the tube's half-height when it is one number
   * (then the relative distance is taken of it), null when it varies along the reference.
   */
  decided(s: Sample, constantHeight: number | null, referenceAt: () => number): void {
    const { inside, deviation, distance, half } = judge(s, constantHeight);
    this.count(s, inside);
    this.consider(deviation, distance, constantHeight === null ? half : null, s, referenceAt);
  }

  /**
   * A sample inside even the narrowest tube the half-height can still become: only its distance
   * from the reference's range counts (the relative is taken of the final half-height).
   */
  surelyInside(s: Sample, referenceAt: () => number): void {
    this.count(s, true);
    const x = s.value;
    const distance = x !== x ? 0 : x > s.high ? x - s.high : x < s.low ? s.low - x : 0;
    this.consider(0, distance, null, s, referenceAt);
  }

  /** A sample that may lie outside: judged by `settle` once the half-height is known. */
  defer(s: Sample, referenceAt: () => number): void {
    this.checked++;
    if (s.value !== s.value) {
      this.nanCount++;
    }
    s.referenceValue = referenceAt();
    this.deferred.push(s);
  }

  /**
   * Judges the deferred samples with the final half-height `h`, in order. Only samples that may
   * be outside were deferred, and every other sample was inside, so the failing intervals come
   * out as if each had been judged when it was seen.
   */
  settle(h: number): void {
    const sample: Sample = {
      index: 0,
      time: 0,
      value: 0,
      high: 0,
      low: 0,
      upper: 0,
      lower: 0,
      hasNaN: false,
      referenceValue: NaN,
    };
    this.deferred.forEach(sample, (s) => {
      s.upper = s.high + h;
      s.lower = s.low - h;
      const { inside, deviation, distance } = judge(s, h);
      if (!inside) {
        this.markOutside(s);
      }
      this.consider(deviation, distance, null, s, () => s.referenceValue);
    });
    this.deferred.length = 0;
  }

  /** A failing interval in time order (also a part of the reference the run does not cover); it merges with the last one when they touch. */
  addInterval(from: number, to: number): void {
    if (this.current && from <= this.current.to) {
      this.current.to = Math.max(this.current.to, to);
      return;
    }
    this.close();
    this.current = { from, to };
  }

  /** Reference NaNs in the compared span are reported too. */
  countReferenceNaN(count: number): void {
    this.nanCount += count;
  }

  /** Closes the last interval; `constantHeight` resolves the relative distance of the worst sample. */
  finish(constantHeight: number | null): WorstDeviation | null {
    this.close();
    const worst = this.worst;
    if (!worst) {
      return null;
    }
    const half = worst.half ?? constantHeight ?? 0;
    return {
      time: worst.time,
      value: worst.value,
      referenceValue: worst.referenceValue,
      deviation: worst.key,
      relative: relativeOf(worst.distance, half),
    };
  }

  private count(s: Sample, inside: boolean): void {
    this.checked++;
    if (s.value !== s.value) {
      this.nanCount++;
    }
    if (!inside) {
      this.markOutside(s);
    }
  }

  private markOutside(s: Sample): void {
    this.outside++;
    if (s.index === this.lastOutside + 1 && this.current) {
      this.current.to = s.time;
    } else {
      this.addInterval(s.time, s.time);
    }
    this.lastOutside = s.index;
  }

  private consider(
    deviation: number,
    distance: number,
    half: number | null,
    s: Sample,
    referenceAt: () => number
  ): void {
    const worst = this.worst;
    // Among equals the earliest sample: deferred samples are considered after later ones were.
    const better =
      worst === null ||
      deviation > worst.key ||
      (deviation === worst.key &&
        (distance > worst.distance || (distance === worst.distance && s.index < worst.index)));
    if (better) {
      this.worst = {
        key: deviation,
        distance,
        half,
        index: s.index,
        time: s.time,
        value: s.value,
        referenceValue: referenceAt(),
      };
    }
  }

  private close(): void {
    if (this.current) {
      this.failureCount++;
      if (this.failures.length < this.maxIntervals) {
        this.failures.push(this.current);
      }
      this.current = null;
    }
  }
}
