/**
 * The regression comparison's contract: a run against its reference inside a tolerance tube.
 * The tube follows the published descriptions of csv-compare's rectangle tube and of the funnel
 * method (LBNL): a rectangle of half-width `time` and half-height `value` is set around every
 * reference point, and the envelopes of those rectangles are the tube's lower and upper bounds
 * (swept along the reference's polyline: see tube.ts). A run passes for a variable when every
 * one of its samples checked lies inside the tube and it covers the whole reference.
 */
import type { VariableInfo } from '../decoder';

export type RelativeTo = 'range' | 'value';

/** Tolerances as a request gives them; any left out take the defaults. */
export interface Tolerances {
  /** Absolute value tolerance, in the variable's own unit. */
  absolute: number;
  /** Relative value tolerance, a fraction (0.002 = 0.2 %). */
  relative: number;
  /**
   * What `relative` is a fraction of: the reference variable's whole range of values (csv-compare,
   * the funnel's `rtoly`) or its local magnitude |y| (the funnel's `ltoly`).
   */
  relativeTo: RelativeTo;
  /**
   * Half-width of the tube in time, in simulation seconds. Null: `relative` times the reference's
   * duration (csv-compare's one tolerance for both axes).
   */
  time: number | null;
}

/** One variable as both files know it (either side may lack it). */
export interface VariablePair {
  /** The name as requested (after glob expansion, the reference's name). */
  name: string;
  run?: VariableInfo;
  reference?: VariableInfo;
}

export interface CompareOptions {
  variables: readonly VariablePair[];
  tolerances: Tolerances;
  /** Failing intervals kept per variable (the count of all of them is reported besides). */
  maxIntervals: number;
  /** Also return the tube and both curves downsampled for plotting. */
  plot?: { maxPoints: number; from?: number; to?: number };
  signal?: AbortSignal;
}

export interface Interval {
  from: number;
  to: number;
}

export interface WorstDeviation {
  /** Simulation seconds. */
  time: number;
  /** The run's value there and the reference's (interpolated at `time`). */
  value: number;
  referenceValue: number;
  /**
   * Distance outside the tube, in the variable's unit (0 when inside everywhere: then the closest
   * approach to a bound is reported as `relative` ≤ 1). Infinity for a NaN on one side only.
   */
  deviation: number;
  /**
   * The run's distance from the reference's own values within ±time tolerance (0 between them),
   * over the tube's half-height there: ≤ 1 inside, > 1 outside; Infinity for a NaN failure, or
   * a tube of zero height.
   */
  relative: number;
}

export type VariableStatus = 'pass' | 'fail' | 'missing' | 'no-overlap';

export interface PlotSeries {
  time: Float64Array;
  values: Float64Array;
}

export interface VariableComparison {
  name: string;
  unit: string | null;
  displayUnit: string | null;
  status: VariableStatus;
  /** Set when status is `missing`: which side lacks the variable. */
  missingIn?: 'run' | 'reference';
  /** Samples checked against the tube. */
  checked: number;
  /** Samples outside it. */
  outside: number;
  /**
   * Where the run leaves the tube, in time order, at most `maxIntervals` of them: consecutive
   * samples outside make one interval. A part of the reference the run does not reach (beyond
   * the time tolerance: it starts late or stops early) is a failing interval too.
   */
  failures: Interval[];
  failureCount: number;
  /** The largest deviation (null when nothing could be checked). */
  worst: WorstDeviation | null;
  /** NaN samples: on either side they are reported, and a NaN in the run where the reference is finite fails. */
  nanCount: number;
  /** Within the plot's [from, to] clipped to the compared span; the bounds at the run's samples. */
  plot?: { run: PlotSeries; reference: PlotSeries; lower: PlotSeries; upper: PlotSeries };
}

export interface ParameterDifference {
  name: string;
  unit: string | null;
  /** Null where that side lacks the parameter or holds NaN. */
  value: number | null;
  referenceValue: number | null;
}

export interface RunComparison {
  /** Every variable passed. Differing parameters are reported (and warned about), not failed. */
  passed: boolean;
  tolerances: Tolerances;
  /** The tube's half-width in time as used (after `time: null` is resolved). */
  timeTolerance: number;
  /** The span both runs cover, which is what was compared; null when they do not overlap. */
  compared: Interval | null;
  runSpan: Interval | null;
  referenceSpan: Interval | null;
  variables: VariableComparison[];
  /** Parameters whose values differ, or that one side lacks. */
  parameters: ParameterDifference[];
  /** E.g. "the run stops at 80 s, before the reference (100 s)". */
  warnings: string[];
}

/** csv-compare's default (`--tolerance`, "[Default is 0.002]"), the setting of the Modelica Standard Library's regression tests. */
export const DEFAULT_TOLERANCES: Tolerances = { absolute: 0, relative: 0.002, relativeTo: 'range', time: null };
