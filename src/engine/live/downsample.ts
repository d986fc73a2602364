/**
 * Server-side downsampling of one variable of a run still being written (issue 20, "Live view"):
 * batches of appended rows in, LiveUpdates (shared/live.ts) out, and never more points in the
 * panel than its maxDataPoints, however long the run grows.
 *
 * How appended rows merge with what was sent:
 * - Up to maxPoints rows, every row is sent as it is, as a final point: the view is the rows.
 * - Past that, rows are M4-bucketed over simulated time on a grid of fixed-width buckets from the
 *   first row (downsample-grid.ts), floor(maxPoints / 4) of them. A bucket whose time has passed
 *   is closed: its first, minimum, maximum and last row are final and are sent once, in an append.
 *   The open bucket (the one the latest row is in) is sent as provisional points, which the next
 *   update replaces; so the panel shows every batch at once, without ever resending final points.
 * - A row beyond the grid doubles the bucket width (as many times as needed): neighbouring buckets
 *   merge pairwise, exactly, from their picks alone (downsample-picks.ts), and the whole series is
 *   sent as a replace. That happens once per doubling of the run's length, and not at all for a
 *   run that ends at the stop time it announced: with `expectedStop` the grid spans it from the
 *   start. Without it, the first grid puts the rows so far in its first half.
 * - The transition from exact rows to buckets, the first update (or the first after reset), and
 *   rows after the run was reported settled (its last bucket reopens) are replaces too.
 *
 * So final + provisional points <= max(maxPoints, 4), and memory is four points per bucket (or
 * maxPoints rows while exact), whatever the number of rows. Every update holds all the rows pushed
 * so far (the open bucket's as provisional points), so the panel lags the file only by the reader.
 * Once settled, the view is exactly the M4 of all rows on the final grid, first and last row
 * included. That grid is not the one a query's m4Indices draws over the same rows (it spans first
 * to last row, and would move with every batch), so a refreshed panel may pick other points.
 */
import { wireValue, type LiveUpdate } from '../../shared/live';
import { Buckets } from './downsample-buckets';
import type { BucketGrid } from './downsample-grid';
import { PointBuffer } from './downsample-picks';

export type { BucketGrid } from './downsample-grid';

export interface LiveSeriesOptions {
  /** The panel's maxDataPoints; below 4 it counts as 4 (one M4 bucket). */
  maxPoints: number;
  /** The experiment's stop time, when the result file states it before the run ends (MAT v4 does, CSV does not). */
  expectedStop?: number;
}

const NO_POINTS = new PointBuffer(1);

/** Loops, not Array.from: that iterates the typed array, 350 ns for four numbers, a tenth of a batch's cost. */
function numbers(source: Float64Array, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) {
    out[i - from] = source[i];
  }
  return out;
}

function wireValues(source: Float64Array, from: number, to: number): Array<number | null> {
  const out = new Array<number | null>(to - from);
  for (let i = from; i < to; i++) {
    out[i - from] = wireValue(source[i]);
  }
  return out;
}

export class LiveSeries {
  private readonly maxPoints: number;
  private expectedStop: number | undefined;
  /** The rows as they are, while there are at most maxPoints of them. */
  private exact: PointBuffer | undefined;
  private bucketed: Buckets | undefined;
  private rows = 0;
  private lastTime = -Infinity;
  private seq = 0;
  private settled = false;
  /** Final points already sent: an append sends the ones after them. */
  private sentFinal = 0;
  private replaceNext = true;

  constructor({ maxPoints, expectedStop }: LiveSeriesOptions) {
    if (!(maxPoints >= 1)) {
      throw new RangeError(`maxPoints must be at least 1, not ${maxPoints}`);
    }
    this.maxPoints = Math.max(4, Math.floor(maxPoints));
    this.expectedStop = expectedStop;
    this.exact = this.emptyRows();
  }

  /**
   * Rows appended to the file, in row order: `time[i]` and `values[i]` for each, times finite and
   * never decreasing (equal times are events), values any number (NaN for a gap). `settled`: the
   * file has reached its end. Returns the update to send, or undefined when there is nothing new.
   * Throws a RangeError, and takes none of the batch, when a time is not finite or goes back (a
   * rewritten file needs reset first).
   */
  push(time: Float64Array, values: Float64Array, end: { settled?: boolean } = {}): LiveUpdate | undefined {
    this.check(time, values);
    const settled = end.settled === true;
    if (time.length === 0 && (!settled || this.settled)) {
      return undefined;
    }
    let replace = this.replaceNext;
    if (time.length > 0) {
      // The settled run goes on: its last bucket, sent as final, is open again.
      replace = (this.bucketed?.unseal() ?? false) || replace;
      replace = this.take(time, values) || replace;
      this.rows += time.length;
      this.lastTime = time[time.length - 1];
    }
    if (settled) {
      this.bucketed?.seal();
    }
    this.settled = settled;
    return this.update(replace ? 'replace' : 'append');
  }

  /** The whole view as a replace, for a subscriber that joins late; carries the latest update's number. */
  snapshot(): LiveUpdate {
    return this.message('replace', 0, this.seq);
  }

  /**
   * The file was truncated or rewritten: start over at row 0, without the old run's stop time (see
   * expectStop). Returns the (empty) replace to send; the next push replaces too. The update
   * numbers go on, so that the panel takes the replace.
   */
  reset(): LiveUpdate {
    this.expectedStop = undefined;
    this.exact = this.emptyRows();
    this.bucketed = undefined;
    this.rows = 0;
    this.lastTime = -Infinity;
    this.settled = false;
    const update = this.update('replace');
    this.replaceNext = true;
    return update;
  }

  /**
   * The experiment's stop time as the file states it, once known (a run's catalogue may come after
   * its first answer, a restarted run's after the reset). It lays out the grid, so it counts only
   * while the rows still fit the exact view.
   */
  expectStop(stop: number | undefined): void {
    if (this.exact) {
      this.expectedStop = stop;
    }
  }

  /** Rows consumed so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** The bucket grid once the rows outgrew the exact view (undefined before): for checks and diagnostics. */
  get grid(): BucketGrid | undefined {
    return this.bucketed?.currentGrid;
  }

  private emptyRows(): PointBuffer {
    return new PointBuffer(Math.min(this.maxPoints, 1024));
  }

  /** Adds the batch; returns whether points already sent as final changed (a replace is due). */
  private take(time: Float64Array, values: Float64Array): boolean {
    const count = time.length;
    const { exact } = this;
    if (exact && exact.length + count <= this.maxPoints) {
      for (let i = 0; i < count; i++) {
        exact.push(time[i], values[i]);
      }
      return false;
    }
    if (exact) {
      const buckets = new Buckets(
        Math.floor(this.maxPoints / 4),
        exact.length > 0 ? exact.time[0] : time[0],
        this.expectedStop
      );
      buckets.fit(time[count - 1]);
      buckets.add(exact.time, exact.values, 0, exact.length);
      buckets.add(time, values, 0, count);
      this.exact = undefined;
      this.bucketed = buckets;
      return true;
    }
    const buckets = this.bucketed as Buckets;
    const widened = buckets.fit(time[count - 1]);
    buckets.add(time, values, 0, count);
    return widened;
  }

  private update(action: LiveUpdate['action']): LiveUpdate {
    this.seq++;
    const message = this.message(action, action === 'replace' ? 0 : this.sentFinal, this.seq);
    this.sentFinal = this.finalPoints().length;
    this.replaceNext = false;
    return message;
  }

  private message(action: LiveUpdate['action'], from: number, seq: number): LiveUpdate {
    const final = this.finalPoints();
    const provisional = this.bucketed?.open ?? NO_POINTS;
    return {
      action,
      seq,
      time: numbers(final.time, from, final.length),
      values: wireValues(final.values, from, final.length),
      provisional: {
        time: numbers(provisional.time, 0, provisional.length),
        values: wireValues(provisional.values, 0, provisional.length),
      },
      rows: this.rows,
      settled: this.settled,
    };
  }

  private finalPoints(): PointBuffer {
    return this.exact ?? (this.bucketed as Buckets).final;
  }

  private check(time: Float64Array, values: Float64Array): void {
    if (time.length !== values.length) {
      throw new RangeError(`a batch of ${time.length} times has ${values.length} values`);
    }
    let previous = this.lastTime;
    for (let i = 0; i < time.length; i++) {
      const t = time[i];
      if (!Number.isFinite(t) || t < previous) {
        throw new RangeError(
          `row ${this.rows + i}: time ${t} ${Number.isFinite(t) ? `is before ${previous}` : 'is not finite'}`
        );
      }
      previous = t;
    }
  }
}
