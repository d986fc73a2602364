import { isGlob, MAX_QUERY_SERIES, type QueryRequest, type Series, type SeriesError } from '../../shared/api';
import type { Catalog } from '../catalog/catalog';
import { DecodeError, type RangeRead, type ResultFile, type VariableInfo } from '../decoder';
import { clipRange } from '../decoder/clip';
import { globMatcher } from '../catalog/match';
import { m4BucketEnds, m4IndicesIn } from './m4';

/** A series as computed: samples stay in typed arrays until serialize.ts writes them out. */
export type SeriesData = Omit<Series, 'time' | 'values'> & { time: Float64Array; values: Float64Array };
type Entry = SeriesData | SeriesError;

/** The query would return more series than allowed (after expanding patterns). */
export class TooManySeriesError extends Error {
  constructor(
    readonly count: number,
    readonly limit: number
  ) {
    super(`the query asks for ${count} series, more than the limit of ${limit}: choose fewer simulations, variables or narrower patterns`);
  }
}

interface Plan {
  count: number;
  run(): Promise<Entry[]>;
}

/**
 * Answers a query: one entry per (simulation, variable), in request order, a glob giving one entry
 * per matching variable. A simulation or variable that cannot be served becomes an error entry;
 * the other series are still returned. Throws TooManySeriesError before reading any samples.
 */
export async function runQuery(
  catalog: Catalog,
  request: QueryRequest,
  maxSeries = MAX_QUERY_SERIES,
  /** Files the caller opened already (by id): opening them again would count twice in /metrics. */
  opened: ReadonlyMap<string, ResultFile> = new Map()
): Promise<Entry[]> {
  const plans = await Promise.all(request.simulations.map((id) => planSimulation(catalog, id, request, opened.get(id))));
  const count = plans.reduce((sum, plan) => sum + plan.count, 0);
  if (count > maxSeries) {
    throw new TooManySeriesError(count, maxSeries);
  }
  return (await Promise.all(plans.map((plan) => plan.run()))).flat();
}

function errorEntries(simulation: string, variables: readonly string[], code: string, message: string): SeriesError[] {
  return variables.map((variable) => ({ simulation, variable, error: { code, message } }));
}

function failedPlan(entries: SeriesError[]): Plan {
  return { count: entries.length, run: async () => entries };
}

/** The opened file, or the error entries that say why it cannot be read. */
async function openForQuery(catalog: Catalog, id: string, variables: readonly string[]): Promise<ResultFile | SeriesError[]> {
  try {
    const file = await catalog.openFile(id);
    return file ?? errorEntries(id, variables, 'not_found', `no simulation with id "${id}"`);
  } catch (error) {
    const message = error instanceof DecodeError ? error.message : 'the result file could not be read';
    return errorEntries(id, variables, 'unreadable_simulation', message);
  }
}

async function planSimulation(catalog: Catalog, id: string, request: QueryRequest, alreadyOpen?: ResultFile): Promise<Plan> {
  const opened = alreadyOpen ?? (await openForQuery(catalog, id, request.variables));
  if (Array.isArray(opened)) {
    return failedPlan(opened);
  }
  const wanted = expandVariables(opened, request.variables);
  const simulationName = catalog.get(id)?.name ?? id;
  const simulation = { id, name: simulationName };
  return {
    count: wanted.length,
    run: () => readConsistently(catalog, opened, simulation, wanted, request),
  };
}

/**
 * Reads the series and checks that the file did not change meanwhile: a read that overlapped a
 * rewrite in place (`cp` over a result, a re-run writing the same name) could mix two versions.
 * Such a read is done again once on the new version; a second overlap is reported, not guessed at.
 * Growth is a simulation still running: the rows read are still right.
 */
async function readConsistently(catalog: Catalog, first: ResultFile, simulation: { id: string; name: string }, wanted: readonly Wanted[], request: QueryRequest): Promise<Entry[]> {
  const { id } = simulation;
  let file = first;
  for (let attempt = 1; ; attempt++) {
    const read = await seriesOf(file, simulation, wanted, request).catch((error: unknown) => {
      if (error instanceof DecodeError) {
        return error;
      }
      throw error;
    });
    // A file cut short under the read fails it; that too is a change to read again.
    const change = catalog.changeAfterRead(id, file);
    const appendedAsExpected = change === 'appended' && (attempt > 1 || catalog.isWriting(id));
    if (change === 'none' || appendedAsExpected) {
      return read instanceof DecodeError ? errorEntries(id, request.variables, 'unreadable_simulation', read.message) : read;
    }
    if (attempt > 1) {
      const message = `${file.displayName}: changed while it was being read, twice (it is being rewritten); try again when it is written`;
      return errorEntries(id, request.variables, 'file_changed', message);
    }
    const reopened = await openForQuery(catalog, id, request.variables);
    if (Array.isArray(reopened)) {
      return reopened;
    }
    file = reopened;
    // Names resolve to the new version's variables; the request's order is kept.
    wanted = expandVariables(file, request.variables);
  }
}

/** One requested name, or one match of a requested glob, with what it resolved to. */
interface Wanted {
  requested: string;
  variable?: VariableInfo;
  problem?: SeriesError['error'];
}

/** Names resolve tolerantly (tool spellings); globs expand to every matching non-time variable, in file order. */
export function expandVariables(file: ResultFile, requested: readonly string[]): Wanted[] {
  return requested.flatMap((name): Wanted[] => {
    const exact = file.findVariable(name);
    if (exact) {
      return [{ requested: name, variable: exact }];
    }
    if (!isGlob(name)) {
      return [{ requested: name, problem: missing(file, name) }];
    }
    let matches: (candidate: string) => boolean;
    try {
      matches = globMatcher(name);
    } catch (error) {
      return [{ requested: name, problem: { code: 'bad_pattern', message: error instanceof Error ? error.message : String(error) } }];
    }
    const found = file.variables.filter((v) => v.kind !== 'time' && matches(v.name));
    return found.length > 0
      ? found.map((variable) => ({ requested: name, variable }))
      : [{ requested: name, problem: { code: 'unknown_variable', message: `${file.displayName}: no variable matches "${name}"` } }];
  });
}

function missing(file: ResultFile, name: string): SeriesError['error'] {
  return { code: 'unknown_variable', message: `${file.displayName}: has no variable "${name}"` };
}

/** Time and values over the clipped range, in one pass where the file's decoder can. */
async function readRange(file: ResultFile, variables: VariableInfo[], from?: number, to?: number): Promise<RangeRead> {
  if (file.readRange) {
    return file.readRange(variables, from, to);
  }
  const time = await file.readTime();
  const range = clipRange(time, from, to);
  return { time: time.subarray(range.first, range.end), values: await file.readValues(variables, range.first, range.end) };
}

/** The series of one decoded file for a query (exported for the benchmark, which skips HTTP). */
export async function querySeriesFromFile(
  file: ResultFile,
  simulation: { id: string; name: string },
  request: Pick<QueryRequest, 'variables' | 'from' | 'to' | 'maxDataPoints'>
): Promise<Entry[]> {
  return seriesOf(file, simulation, expandVariables(file, request.variables), request);
}

async function seriesOf(
  file: ResultFile,
  simulation: { id: string; name: string },
  wanted: readonly Wanted[],
  request: Pick<QueryRequest, 'from' | 'to' | 'maxDataPoints'>
): Promise<Entry[]> {
  const { id, name: simulationName } = simulation;
  const trajectories = [...new Set(wanted.flatMap((w) => (w.variable && w.variable.kind !== 'parameter' ? [w.variable] : [])))];
  const read = await readForQuery(file, trajectories, request);

  return wanted.map(({ requested, variable, problem }): Entry => {
    if (!variable) {
      return { simulation: id, variable: requested, error: problem ?? missing(file, requested) };
    }
    const head = {
      simulation: id,
      variable: requested,
      simulationName,
      resolvedName: variable.name,
      unit: variable.unit,
      displayUnit: variable.displayUnit,
      description: variable.description,
      kind: variable.kind,
      valueType: variable.valueType,
    };
    if (variable.kind === 'parameter') {
      return { ...head, ...parameterSeries(read.ends, read.pointsInRange, variable.value ?? NaN) };
    }
    return { ...head, ...read.seriesOf(variable) };
  });
}

interface QueryRead {
  pointsInRange: number;
  /** First and last time of the range (fewer when it holds fewer points). */
  ends: Float64Array;
  seriesOf(variable: VariableInfo): { time: Float64Array; values: Float64Array; pointsInRange: number; downsampled: boolean };
}

/** Streamed and downsampled by the decoder where it can, else whole columns downsampled here. */
async function readForQuery(file: ResultFile, trajectories: VariableInfo[], request: Pick<QueryRequest, 'from' | 'to' | 'maxDataPoints'>): Promise<QueryRead> {
  const { from, to, maxDataPoints } = request;
  const sampled = maxDataPoints !== undefined && trajectories.length > 0 ? await file.readSampled?.(trajectories, maxDataPoints, from, to) : undefined;
  if (sampled) {
    const byVariable = new Map(trajectories.map((v, k) => [v, sampled.series[k]]));
    return {
      pointsInRange: sampled.pointsInRange,
      ends: sampled.ends,
      seriesOf: (variable) => ({ ...byVariable.get(variable)!, pointsInRange: sampled.pointsInRange, downsampled: true }),
    };
  }
  const { time, values } = await readRange(file, trajectories, from, to);
  const byVariable = new Map(trajectories.map((v, k) => [v, values[k]]));
  // The series of one read share its time axis, so they share its M4 buckets too.
  const buckets = maxDataPoints === undefined ? undefined : m4BucketEnds(time, maxDataPoints);
  return {
    pointsInRange: time.length,
    ends: time.length <= 1 ? time.slice() : Float64Array.of(time[0], time[time.length - 1]),
    seriesOf: (variable) => sampledSeries(time, byVariable.get(variable)!, buckets),
  };
}

/** A parameter is constant: two points spanning the requested range are enough to draw it. */
function parameterSeries(ends: Float64Array, pointsInRange: number, value: number) {
  return { time: ends, values: new Float64Array(ends.length).fill(value), pointsInRange, downsampled: false };
}

/** The series downsampled in `buckets` (m4BucketEnds of its time axis), or whole when there are none. */
function sampledSeries(time: Float64Array, values: Float64Array, buckets: Uint32Array | undefined) {
  if (!buckets) {
    return { time, values, pointsInRange: time.length, downsampled: false };
  }
  const keep = m4IndicesIn(values, buckets);
  const keptTime = new Float64Array(keep.length);
  const keptValues = new Float64Array(keep.length);
  for (let k = 0; k < keep.length; k++) {
    keptTime[k] = time[keep[k]];
    keptValues[k] = values[keep[k]];
  }
  return { time: keptTime, values: keptValues, pointsInRange: time.length, downsampled: true };
}
