/**
 * The bucketed state of a live series: the picks of its closed buckets (final), those of the open
 * bucket (the one the latest row is in; provisional), and the grid. Memory is four points per
 * bucket, whatever the number of rows.
 */
import { firstAtOrAfter } from '../query/m4';
import { bucketOf, bucketStart, fittedGrid, initialGrid, type BucketGrid } from './downsample-grid';
import { BucketPicker, PointBuffer } from './downsample-picks';

export class Buckets {
  private grid: BucketGrid;
  /** Picks of the closed buckets, in row order, with the bucket of each. */
  readonly final: PointBuffer;
  private finalBucket: Float64Array;
  /** Picks of the open bucket (none before the first row, and none once sealed). */
  readonly open = new PointBuffer(4);
  private openBucket = -1;
  private sealed = false;

  /** `buckets`: how many the grid may have; the first row added sets the origin. */
  constructor(
    private readonly buckets: number,
    origin: number,
    expectedStop: number | undefined
  ) {
    this.grid = initialGrid(origin, buckets, expectedStop);
    this.final = new PointBuffer(4 * buckets);
    this.finalBucket = new Float64Array(4 * buckets);
  }

  get currentGrid(): BucketGrid {
    return this.grid;
  }

  /**
   * Widens the grid when rows up to `lastTime` would not fit; merged buckets change points that
   * were final, so it returns whether it did (the caller then replaces the whole series).
   */
  fit(lastTime: number): boolean {
    const { grid, doublings } = fittedGrid(this.grid, lastTime, this.buckets);
    this.grid = grid;
    if (doublings > 0) {
      this.merge(2 ** doublings);
    }
    return doublings > 0;
  }

  /** Rows `[from, to)`, in row order and inside the fitted grid (see fit). */
  add(time: Float64Array, values: Float64Array, from: number, to: number): void {
    let row = from;
    while (row < to) {
      const bucket = bucketOf(this.grid, time[row], this.buckets);
      if (bucket !== this.openBucket) {
        this.closeOpen();
        this.openBucket = bucket;
      }
      // Without a width yet, every row shares the origin's time (see fittedGrid) and bucket 0.
      const last = bucket === this.buckets - 1 || !(this.grid.width > 0);
      const end = last ? to : firstAtOrAfter(time, bucketStart(this.grid, bucket + 1), row, to);
      new BucketPicker()
        .add(this.open.time, this.open.values, 0, this.open.length)
        .add(time, values, row, end)
        .writeTo(this.open);
      row = end;
    }
  }

  /** The run has ended: the open bucket's picks become final. */
  seal(): void {
    this.closeOpen();
    this.sealed = true;
  }

  /**
   * The run goes on after all: the last bucket is open again. Its picks were sent as final, so the
   * caller replaces the whole series. Returns whether there was anything to reopen.
   */
  unseal(): boolean {
    if (!this.sealed) {
      return false;
    }
    this.sealed = false;
    let start = this.final.length;
    while (start > 0 && this.finalBucket[start - 1] === this.openBucket) {
      start--;
    }
    this.open.setFrom(
      0,
      this.final.time.subarray(start, this.final.length),
      this.final.values.subarray(start, this.final.length)
    );
    this.final.length = start;
    return true;
  }

  private closeOpen(): void {
    for (let i = 0; i < this.open.length; i++) {
      this.finalBucket[this.final.length] = this.openBucket;
      this.final.push(this.open.time[i], this.open.values[i]);
    }
    this.open.length = 0;
  }

  /**
   * Merges every `factor` neighbouring buckets into one (bucket b becomes floor(b / factor)), in
   * place: a merged bucket's picks are the picks of its buckets' picks, never more points than
   * they had, so the writing position never passes the reading one. Closed buckets that land in
   * the open bucket's new bucket join it.
   */
  private merge(factor: number): void {
    const openBucket = Math.floor(this.openBucket / factor);
    const { final } = this;
    const count = final.length;
    let write = 0;
    let read = 0;
    while (read < count) {
      const bucket = Math.floor(this.finalBucket[read] / factor);
      if (bucket === openBucket) {
        break;
      }
      let end = read + 1;
      while (end < count && Math.floor(this.finalBucket[end] / factor) === bucket) {
        end++;
      }
      write = this.mergeClosed(read, end, bucket, write);
      read = end;
    }
    const joined = new BucketPicker()
      .add(final.time, final.values, read, count)
      .add(this.open.time, this.open.values, 0, this.open.length);
    joined.writeTo(this.open);
    final.length = write;
    this.openBucket = openBucket;
  }

  /** Points `[read, end)` become the picks of new bucket `bucket`, written from `write` on; returns the next writing position. */
  private mergeClosed(read: number, end: number, bucket: number, write: number): number {
    const { final } = this;
    let next: number;
    if (this.finalBucket[read] === this.finalBucket[end - 1]) {
      // A single old bucket: its picks are already the new bucket's.
      final.time.copyWithin(write, read, end);
      final.values.copyWithin(write, read, end);
      next = write + (end - read);
    } else {
      new BucketPicker().add(final.time, final.values, read, end).writeTo(final, write);
      next = final.length;
    }
    this.finalBucket.fill(bucket, write, next);
    return next;
  }
}
