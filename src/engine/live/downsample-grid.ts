/**
 * The bucket grid of a live series: fixed-width buckets over simulated time, from the first row's
 * time. Bucket b holds the rows with start(b) <= t < start(b + 1), where start(b) = origin + b *
 * width, so a row's bucket follows from its time alone and never changes while the width does not.
 *
 * Widening is by powers of two, and it merges buckets exactly: with width w' = w 2^k,
 * start'(b) = origin + b (w 2^k) and start(b 2^k) = origin + (b 2^k) w are the same real product
 * rounded once, so the new grid's starts are a subset of the old one's and old bucket b lands in
 * new bucket floor(b / 2^k), whatever rounding did to the starts themselves.
 */

export interface BucketGrid {
  /** The first row's time. */
  readonly origin: number;
  /** Simulated seconds per bucket; 0 while no row is later than the origin (every row is then in bucket 0). */
  readonly width: number;
}

export function bucketStart(grid: BucketGrid, bucket: number): number {
  return grid.origin + bucket * grid.width;
}

/**
 * The bucket of time `t`, for a grid fitted to hold it in `buckets` buckets (fittedGrid). The
 * division is only a guess (it may be off by one either way); the starts decide.
 */
export function bucketOf(grid: BucketGrid, t: number, buckets: number): number {
  if (!(grid.width > 0)) {
    return 0;
  }
  let bucket = Math.min(buckets - 1, Math.max(0, Math.floor((t - grid.origin) / grid.width)));
  while (bucket > 0 && t < bucketStart(grid, bucket)) {
    bucket--;
  }
  while (bucket < buckets - 1 && t >= bucketStart(grid, bucket + 1)) {
    bucket++;
  }
  return bucket;
}

/**
 * The first grid for a series that outgrew the exact view. With the experiment's stop time known
 * (MAT v4 results state it before the run ends) the expected span fills the buckets, less half a
 * bucket, so that a last row at exactly the stop time falls in the last bucket however the starts
 * round: a run that ends where it said it would is never widened. Without it, the width is left
 * open (0) for fittedGrid to choose from the rows.
 */
export function initialGrid(origin: number, buckets: number, expectedStop: number | undefined): BucketGrid {
  const span = expectedStop === undefined ? NaN : expectedStop - origin;
  return { origin, width: span > 0 && Number.isFinite(span) ? span / (buckets - 0.5) : 0 };
}

/**
 * The grid that holds rows up to `lastTime` in `buckets` buckets, and the power of two its width
 * grew by (`doublings`; 0 when the grid already held them). A grid without a width yet gets one
 * that puts `lastTime` in the middle, so that the run can double its length before the next
 * widening; all earlier rows share the origin's time, so they stay in bucket 0 and nothing merges.
 */
export function fittedGrid(
  grid: BucketGrid,
  lastTime: number,
  buckets: number
): { grid: BucketGrid; doublings: number } {
  const extent = lastTime - grid.origin;
  if (!(grid.width > 0)) {
    const width = (2 * extent) / buckets;
    return { grid: width > 0 && Number.isFinite(width) ? { origin: grid.origin, width } : grid, doublings: 0 };
  }
  let width = grid.width;
  let doublings = 0;
  // Compared through the start of the first bucket past the grid, as bucketOf compares.
  while (lastTime >= grid.origin + buckets * width && Number.isFinite(width)) {
    width *= 2;
    doublings++;
  }
  return { grid: { origin: grid.origin, width }, doublings };
}
