/**
 * The comparison's curves for plotting, M4-downsampled as they stream by (query/m4-stream.ts): the
 * run and the tube's bounds at the run's samples, and the reference at its own. M4 keeps each
 * bucket's minimum and maximum, so the drawn lower bound is the minimum of the lower bounds in
 * each pixel column and the upper bound the maximum of the upper ones: the tube is never drawn
 * narrower than it is.
 */
import { columnChunk, M4Stream, m4Plan } from '../query/m4-stream';
import { firstAtOrAfter } from '../query/m4';
import type { Interval, PlotSeries } from './types';

export interface PlotRequest {
  maxPoints: number;
  from?: number;
  to?: number;
}

/** Rows `[first, end)` of a time vector that lie in `[from, to]`. */
function rowsWithin(time: Float64Array, from: number, to: number): { first: number; end: number } {
  const first = firstAtOrAfter(time, from, 0);
  let end = firstAtOrAfter(time, to, first);
  while (end < time.length && time[end] <= to) {
    end++;
  }
  return { first, end };
}

interface SideStream {
  stream: M4Stream | null;
  first: number;
  end: number;
}

function sideStream(time: Float64Array, span: Interval, series: number, maxPoints: number): SideStream {
  const { first, end } = rowsWithin(time, span.from, span.to);
  const stream = end > first ? new M4Stream(m4Plan(time[first], time[end - 1], maxPoints), series) : null;
  return { stream, first, end };
}

/** Feeds rows `[first, end)` of one side (values indexed from `valuesFirst`) clipped to the plotted rows. */
function feed(
  side: SideStream,
  time: Float64Array,
  values: readonly Float64Array[],
  valuesFirst: number,
  first: number,
  end: number
): void {
  const a = Math.max(first, side.first);
  const z = Math.min(end, side.end);
  if (!side.stream || z <= a) {
    return;
  }
  const columns = values.map((column) => column.subarray(a - valuesFirst, z - valuesFirst));
  side.stream.feed(columnChunk(time.subarray(a, z), columns), z - a, a);
}

export type VariablePlot = { run: PlotSeries; reference: PlotSeries; lower: PlotSeries; upper: PlotSeries };

export class ComparisonPlot {
  private readonly run: SideStream;
  private readonly reference: SideStream;

  /** `span`: the plotted range, already clipped to the compared span. */
  constructor(
    private readonly runTime: Float64Array,
    private readonly referenceTime: Float64Array,
    span: Interval,
    private readonly variables: number,
    maxPoints: number
  ) {
    // Per variable: the run, its lower and its upper bound.
    this.run = sideStream(runTime, span, 3 * variables, maxPoints);
    this.reference = sideStream(referenceTime, span, variables, maxPoints);
  }

  /** Run rows `[first, end)`: values and bounds of each variable, indexed from `first`. */
  feedRun(
    first: number,
    end: number,
    values: readonly Float64Array[],
    lower: readonly Float64Array[],
    upper: readonly Float64Array[]
  ): void {
    const columns = values.flatMap((column, k) => [column, lower[k], upper[k]]);
    feed(this.run, this.runTime, columns, first, first, end);
  }

  /** Reference rows `[first, end)`, each fed once, in order. */
  feedReference(first: number, end: number, values: readonly Float64Array[], valuesFirst: number): void {
    feed(this.reference, this.referenceTime, values, valuesFirst, first, end);
  }

  finish(): VariablePlot[] {
    const empty = (): PlotSeries => ({ time: new Float64Array(0), values: new Float64Array(0) });
    const run = this.run.stream?.finish();
    const reference = this.reference.stream?.finish();
    return Array.from({ length: this.variables }, (_, k) => ({
      run: run?.[3 * k] ?? empty(),
      lower: run?.[3 * k + 1] ?? empty(),
      upper: run?.[3 * k + 2] ?? empty(),
      reference: reference?.[k] ?? empty(),
    }));
  }
}
