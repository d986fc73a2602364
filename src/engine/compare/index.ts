/**
 * The regression comparison: a run's result file against its reference's, variable by variable,
 * inside a tolerance tube (see tube.ts for the tube and where it comes from). A library: the HTTP
 * routes resolve names and tolerances and call compareRuns.
 */
import type { ResultFile } from '../decoder';
import { parameterDifferences } from './parameters';
import { ComparisonPlot } from './plot';
import { CHUNK_ROWS, DeferralOverflow, streamComparison, type StreamInput } from './stream';
import { VariableTally } from './tally';
import { timeTolerance } from './tolerances';
import type { CompareOptions, Interval, RunComparison, VariableComparison, VariablePair } from './types';

export { resolveTolerances } from './tolerances';
export { DEFAULT_TOLERANCES } from './types';
export type * from './types';

function spanOf(time: Float64Array): Interval | null {
  return time.length === 0 ? null : { from: time[0], to: time[time.length - 1] };
}

function overlap(a: Interval | null, b: Interval | null): Interval | null {
  if (!a || !b) {
    return null;
  }
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  return from <= to ? { from, to } : null;
}

/**
 * The parts of the reference the run does not reach, beyond the time tolerance: a run that stops
 * early (or starts late) must not pass on the part it left out, so each is a failing interval
 * of every compared variable. A run longer than its reference is only warned about: references
 * are sometimes cut short on purpose (csv-compare issue #77 compares only the common span).
 */
function uncovered(
  run: Interval,
  reference: Interval,
  halfWidth: number
): { before: Interval | null; after: Interval | null } {
  return {
    before: run.from > reference.from + halfWidth ? { from: reference.from, to: run.from } : null,
    after: run.to < reference.to - halfWidth ? { from: run.to, to: reference.to } : null,
  };
}

function spanWarnings(run: Interval | null, reference: Interval | null, halfWidth: number): string[] {
  if (!run || !reference) {
    return [run ? 'the reference holds no time points' : 'the run holds no time points'];
  }
  if (!overlap(run, reference)) {
    return [
      `the run (${run.from} s to ${run.to} s) and the reference (${reference.from} s to ${reference.to} s) do not overlap in time`,
    ];
  }
  const warnings: string[] = [];
  const gaps = uncovered(run, reference, halfWidth);
  if (gaps.before) {
    warnings.push(
      `the run starts at ${run.from} s, after the reference (${reference.from} s): the part before it fails`
    );
  }
  if (gaps.after) {
    warnings.push(`the run stops at ${run.to} s, before the reference (${reference.to} s): the part after it fails`);
  }
  if (run.from < reference.from) {
    warnings.push(
      `the run starts at ${run.from} s, before the reference (${reference.from} s): only ${reference.from} s on is compared`
    );
  }
  if (run.to > reference.to) {
    warnings.push(
      `the run goes on to ${run.to} s, after the reference stops (${reference.to} s): only up to ${reference.to} s is compared`
    );
  }
  return warnings;
}

/** Differing parameters are reported, not failed: a run is often compared precisely because one was changed. */
function parameterWarning(count: number): string[] {
  return count === 0
    ? []
    : [`${count} parameter${count === 1 ? ' differs' : 's differ'} from the reference (see parameters)`];
}

function emptyComparison(pair: VariablePair, status: VariableComparison['status']): VariableComparison {
  const info = pair.reference ?? pair.run;
  return {
    name: pair.name,
    unit: info?.unit ?? null,
    displayUnit: info?.displayUnit ?? null,
    status,
    checked: 0,
    outside: 0,
    failures: [],
    failureCount: 0,
    worst: null,
    nanCount: 0,
  };
}

function missingComparison(pair: VariablePair): VariableComparison {
  return { ...emptyComparison(pair, 'missing'), missingIn: pair.run ? 'reference' : 'run' };
}

function tallied(pair: VariablePair, tally: VariableTally, constantHeight: number | null): VariableComparison {
  const worst = tally.finish(constantHeight);
  const failed = tally.failureCount > 0 || tally.outside > 0 || tally.checked === 0;
  return {
    ...emptyComparison(pair, failed ? 'fail' : 'pass'),
    checked: tally.checked,
    outside: tally.outside,
    failures: tally.failures,
    failureCount: tally.failureCount,
    worst,
    nanCount: tally.nanCount,
  };
}

/** One pass of the check (two when the range is read first), with the parts of the reference the run leaves out as failures. */
async function checkVariables(
  input: Omit<StreamInput, 'tallies'>,
  gaps: { before: Interval | null; after: Interval | null },
  maxIntervals: number
): Promise<{ tallies: VariableTally[]; heights: Array<number | null> }> {
  const tallies = input.runVariables.map(() => new VariableTally(Math.max(0, maxIntervals)));
  const { before, after } = gaps;
  if (before) {
    tallies.forEach((tally) => tally.addInterval(before.from, before.to));
  }
  const heights = await streamComparison({ ...input, tallies });
  if (after) {
    tallies.forEach((tally) => tally.addInterval(after.from, after.to));
  }
  return { tallies, heights };
}

/**
 * Compares the run with the reference for every pair in `options.variables` (in that order).
 * Never throws for missing variables or non-overlapping runs (those are statuses); throws the
 * signal's reason (an AbortError) when `options.signal` aborts, and a DecodeError when a file
 * cannot be read.
 */
export async function compareRuns(
  run: ResultFile,
  reference: ResultFile,
  options: CompareOptions
): Promise<RunComparison> {
  return compareInChunks(run, reference, options, CHUNK_ROWS);
}

/** compareRuns with the rows read at once chosen: small chunks let the tests cross many chunk boundaries. */
export async function compareInChunks(
  run: ResultFile,
  reference: ResultFile,
  options: CompareOptions,
  chunkRows: number
): Promise<RunComparison> {
  const { tolerances, signal } = options;
  signal?.throwIfAborted();
  const [runTime, referenceTime] = await Promise.all([run.readTime(), reference.readTime()]);
  const runSpan = spanOf(runTime);
  const referenceSpan = spanOf(referenceTime);
  const halfWidth = timeTolerance(tolerances, referenceSpan ? referenceSpan.to - referenceSpan.from : 0);
  const compared = overlap(runSpan, referenceSpan);
  const complete = options.variables.filter((pair) => pair.run && pair.reference);
  const plotSpan =
    options.plot && compared
      ? overlap(compared, { from: options.plot.from ?? -Infinity, to: options.plot.to ?? Infinity })
      : null;
  const plot =
    options.plot && plotSpan
      ? new ComparisonPlot(runTime, referenceTime, plotSpan, complete.length, options.plot.maxPoints)
      : undefined;
  let checked: { tallies: VariableTally[]; heights: Array<number | null> } = { tallies: [], heights: [] };
  if (compared && runSpan && referenceSpan && complete.length > 0) {
    const input = {
      run,
      reference,
      runVariables: complete.map((pair) => pair.run!),
      referenceVariables: complete.map((pair) => pair.reference!),
      runTime,
      referenceTime,
      compared,
      halfWidth,
      tolerances,
      plot,
      signal,
      chunkRows,
      // The plot draws the tube as it goes: its height must be known from the start.
      rangeFirst: plot !== undefined,
    };
    const gaps = uncovered(runSpan, referenceSpan, halfWidth);
    const once = (rangeFirst: boolean) =>
      checkVariables({ ...input, rangeFirst: input.rangeFirst || rangeFirst }, gaps, options.maxIntervals);
    checked = await once(false).catch((error: unknown) => {
      if (error instanceof DeferralOverflow) {
        return once(true);
      }
      throw error;
    });
  }
  const plots = plot?.finish();
  const byPair = new Map(complete.map((pair, k) => [pair, k]));
  const variables = options.variables.map((pair): VariableComparison => {
    const k = byPair.get(pair);
    if (k === undefined) {
      return missingComparison(pair);
    }
    if (!compared) {
      return emptyComparison(pair, 'no-overlap');
    }
    const result = tallied(pair, checked.tallies[k], checked.heights[k]);
    return plots ? { ...result, plot: plots[k] } : result;
  });
  const parameters = parameterDifferences(run, reference, tolerances);
  return {
    passed: variables.every((v) => v.status === 'pass'),
    tolerances,
    timeTolerance: halfWidth,
    compared,
    runSpan,
    referenceSpan,
    variables,
    parameters,
    warnings: [...spanWarnings(runSpan, referenceSpan, halfWidth), ...parameterWarning(parameters.length)],
  };
}
