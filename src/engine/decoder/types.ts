export type VariableKind = 'time' | 'trajectory' | 'parameter';

export interface VariableInfo {
  name: string;
  /** The description without its unit/type bracket. */
  description: string;
  unit: string | null;
  displayUnit: string | null;
  /** `Boolean`, `Integer` or an enumeration name when the file says so, otherwise null. */
  valueType: string | null;
  kind: VariableKind;
  /** The constant value of a parameter; absent for time and trajectories. */
  value?: number;
}

export interface DecodeOptions {
  /** Where per-variable layouts of large files may be kept; none are built without it. */
  cacheDir?: string;
  /** Data matrices smaller than this are never given a per-variable layout. */
  columnStoreMinBytes?: number;
  /** Downsampled reads whose columns would take fewer bytes than this read whole columns instead. */
  streamedReadMinBytes?: number;
  /** Layouts with fewer time steps keep their block summaries on disk only (see mat4/summaryMemory.ts). */
  summaryMemoryMinSamples?: number;
}

/** Time and values over a clipped range. */
export interface RangeRead {
  time: Float64Array;
  values: Float64Array[];
}

/** Downsampled series over a clipped range, computed without holding whole columns. */
export interface SampledRead {
  /** Points in the clipped range before downsampling. */
  pointsInRange: number;
  /** Time of the range's first and last point (for parameters, drawn as constants across it). */
  ends: Float64Array;
  /** One per requested variable, M4-downsampled. */
  series: Array<{ time: Float64Array; values: Float64Array }>;
}

/** A decoded result file: its catalogue in memory, its values read on demand. */
export interface ResultFile {
  readonly path: string;
  /** The name used in error messages (relative to its data root). */
  readonly displayName: string;
  /** A short format label, e.g. "dymola-mat4". */
  readonly format: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  readonly variables: readonly VariableInfo[];
  readonly timePointCount: number;
  readonly startTime: number | null;
  readonly stopTime: number | null;
  /** Exact name first, then the spellings other tools use (Time/time, der(), subscript spaces). */
  findVariable(name: string): VariableInfo | undefined;
  /** The abscissa, non-decreasing; duplicated stamps are events. */
  readTime(): Promise<Float64Array>;
  /**
   * Values of `variables` at time points `[first, end)`. Parameters are constant, so they yield
   * their value at every requested point.
   */
  readValues(variables: readonly VariableInfo[], first: number, end: number): Promise<Float64Array[]>;
  /**
   * Optional: time and values clipped to `[from, to]` (one point beyond each edge), in one pass
   * where the layout allows. Without it callers use readTime, clipRange and readValues.
   */
  readRange?(variables: readonly VariableInfo[], from?: number, to?: number): Promise<RangeRead>;
  /**
   * Optional: trajectories clipped and M4-downsampled to `maxPoints`, streamed where whole columns
   * would cost more than reading them. Undefined when the range holds no more than `maxPoints`
   * points or the file is better served by readRange; callers then downsample themselves.
   */
  readSampled?(variables: readonly VariableInfo[], maxPoints: number, from?: number, to?: number): Promise<SampledRead | undefined>;
}
