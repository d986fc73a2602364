/**
 * What a panel holds of one live series, and how a LiveUpdate (shared/live.ts) changes it.
 *
 * The merge rule: an append drops the view's provisional points (the open bucket as the previous
 * update saw it), then adds the update's final points and its provisional ones; a replace
 * becomes the view. Final points are never changed by an append, which is what lets the backend
 * send each of them once.
 *
 * Updates are numbered. An append applies only to the view of the update before it: one already
 * applied (a repeat, or one older than a snapshot) is ignored, and one after a missed update
 * marks the view `gap` (it misses rows) and leaves it as it is until the next replace; the caller
 * then resubscribes to get a snapshot. A replace applies unless it is older than the view.
 */
import type { LiveUpdate } from '../../shared/live';

export interface LiveView {
  /** Final points, then the provisional ones (simulated time, or whatever the updates carry). */
  time: number[];
  values: Array<number | null>;
  /** How many of the last points are provisional. */
  provisionalCount: number;
  /** Rows of the file the view stands for. */
  rows: number;
  /** Number of the last update applied (-1: none yet). */
  seq: number;
  settled: boolean;
  /** An update was missed: the view lacks rows until the next replace. */
  gap: boolean;
}

export function emptyLiveView(): LiveView {
  return { time: [], values: [], provisionalCount: 0, rows: 0, seq: -1, settled: false, gap: false };
}

/**
 * The view after `update`. An append extends the view's arrays in place, in time proportional to
 * the points it brings: the view passed in is spent, keep only the one returned (it is a new
 * object, so change detection by identity still works). A replace builds new arrays.
 */
export function applyLiveUpdate(view: LiveView, update: LiveUpdate): LiveView {
  if (update.action === 'replace') {
    return update.seq < view.seq ? view : replaced(update);
  }
  if (update.seq <= view.seq) {
    return view;
  }
  if (view.gap || update.seq !== view.seq + 1) {
    return { ...view, gap: true };
  }
  return appended(view, update);
}

function replaced(update: LiveUpdate): LiveView {
  return {
    time: update.time.concat(update.provisional.time),
    values: update.values.concat(update.provisional.values),
    provisionalCount: update.provisional.time.length,
    rows: update.rows,
    seq: update.seq,
    settled: update.settled,
    gap: false,
  };
}

function appended(view: LiveView, update: LiveUpdate): LiveView {
  const { time, values } = view;
  const finalCount = time.length - view.provisionalCount;
  time.length = finalCount;
  values.length = finalCount;
  pushAll(time, update.time);
  pushAll(time, update.provisional.time);
  pushAll(values, update.values);
  pushAll(values, update.provisional.values);
  return {
    time,
    values,
    provisionalCount: update.provisional.time.length,
    rows: update.rows,
    seq: update.seq,
    settled: update.settled,
    gap: false,
  };
}

/** A loop rather than push(...items): spreading a long array overflows the call stack. */
function pushAll<T>(target: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i++) {
    target.push(items[i]);
  }
}
