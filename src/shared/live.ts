/**
 * What a live series sends (issue 20, "Live view"): updates that extend or replace what a panel
 * holds of one variable of a run still being written. The backend makes them
 * (engine/live/downsample.ts), the browser applies them (datasource/live/merge.ts). Plain data
 * only: this file is shared by the backend and the frontend.
 *
 * The view an update leads to is a list of points: the final ones, then the provisional ones. At
 * most maxPoints rows are sent as they are (all final). Beyond that, each bucket of a fixed grid
 * over simulated time is M4-downsampled (first, minimum, maximum and last row); closed buckets are
 * final and sent once, the open bucket's points are provisional and every update replaces them.
 * When the run outgrows the grid, the buckets widen and the whole series comes again as a
 * `replace`. Final plus provisional points never exceed max(maxPoints, 4).
 */

/** Points in time order; NaN and infinities travel as null, as in every other SimViz answer. */
export interface LivePoints {
  time: number[];
  values: Array<number | null>;
}

export interface LiveUpdate {
  /**
   * `append`: drop the view's provisional points, then add `time`/`values` and the new provisional
   * points. `replace`: the view becomes exactly this update.
   */
  action: 'append' | 'replace';
  /**
   * The series' update number: an append applies to the view of update `seq - 1` only. A snapshot
   * (a replace for a subscriber that joins late) carries the number of the latest update.
   */
  seq: number;
  /** Final points: appended after the view's final points, or for a replace all of them. */
  time: number[];
  values: Array<number | null>;
  /** The open bucket's points, drawn after the final ones until the next update replaces them. */
  provisional: LivePoints;
  /** Rows of the file the series has consumed so far (restarts at 0 when the file is rewritten). */
  rows: number;
  /** The run has ended: there are no provisional points, and no more updates are expected. */
  settled: boolean;
}

/** A value as it travels: finite numbers as they are (-0 included), anything else as null. */
export function wireValue(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** How a frame's points apply, as a live frame's meta carries it beside the points themselves. */
export interface LiveUpdateHeader {
  action: LiveUpdate['action'];
  seq: number;
  rows: number;
  settled: boolean;
  /** How many of the frame's last points are provisional. */
  provisionalCount: number;
}

/** The header a frame of `update` carries: its points travel as the frame's fields. */
export function headerOf({ action, seq, rows, settled, provisional }: LiveUpdate): LiveUpdateHeader {
  return { action, seq, rows, settled, provisionalCount: provisional.time.length };
}

/** The update a frame stands for: its points (final ones, then the provisional ones) and its header. */
export function updateFromPoints(header: LiveUpdateHeader, time: ArrayLike<number>, values: ArrayLike<number | null>): LiveUpdate {
  const allTime = Array.from(time);
  const allValues = Array.from(values);
  const finalCount = allTime.length - header.provisionalCount;
  return {
    action: header.action,
    seq: header.seq,
    rows: header.rows,
    settled: header.settled,
    time: allTime.slice(0, finalCount),
    values: allValues.slice(0, finalCount),
    provisional: { time: allTime.slice(finalCount), values: allValues.slice(finalCount) },
  };
}
