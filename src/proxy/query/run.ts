import type { QueryRequest, Series, SeriesError } from '../../shared/api';
import type { Catalog } from '../catalog/catalog';
import { DecodeError, type RangeRead, type ResultFile, type VariableInfo } from '../decoder';
import { clipRange } from '../decoder/clip';
import { m4Indices } from './m4';

type Entry = Series | SeriesError;

/**
 * Answers a query: one entry per (simulation, variable), in request order. A simulation or
 * variable that cannot be served becomes an error entry; the other series are still returned.
 */
export async function runQuery(catalog: Catalog, request: QueryRequest): Promise<Entry[]> {
  const perSimulation = await Promise.all(request.simulations.map((id) => querySimulation(catalog, id, request)));
  return perSimulation.flat();
}

function errorEntries(simulation: string, variables: readonly string[], code: string, message: string): SeriesError[] {
  return variables.map((variable) => ({ simulation, variable, error: { code, message } }));
}

async function querySimulation(catalog: Catalog, id: string, request: QueryRequest): Promise<Entry[]> {
  let file: ResultFile | undefined;
  try {
    file = await catalog.openFile(id);
  } catch (error) {
    const message = error instanceof DecodeError ? error.message : 'the result file could not be read';
    return errorEntries(id, request.variables, 'unreadable_simulation', message);
  }
  if (!file) {
    return errorEntries(id, request.variables, 'not_found', `no simulation with id "${id}"`);
  }
  const simulationName = catalog.get(id)?.name ?? id;
  try {
    return await querySeriesFromFile(file, { id, name: simulationName }, request);
  } catch (error) {
    if (error instanceof DecodeError) {
      return errorEntries(id, request.variables, 'unreadable_simulation', error.message);
    }
    throw error;
  }
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
  const { id, name: simulationName } = simulation;
  const found = request.variables.map((name) => file.findVariable(name));
  const present = found.filter((v): v is VariableInfo => v !== undefined);
  const trajectories = present.filter((v) => v.kind !== 'parameter');
  const { time: rangeTime, values: columns } = await readRange(file, trajectories, request.from, request.to);
  const valuesOf = new Map(trajectories.map((v, k) => [v, columns[k]]));

  return request.variables.map((name, k): Entry => {
    const variable = found[k];
    if (!variable) {
      return { simulation: id, variable: name, error: { code: 'unknown_variable', message: `${file.displayName}: has no variable "${name}"` } };
    }
    const head = {
      simulation: id,
      variable: name,
      simulationName,
      resolvedName: variable.name,
      unit: variable.unit,
      displayUnit: variable.displayUnit,
      description: variable.description,
      kind: variable.kind,
    };
    if (variable.kind === 'parameter') {
      return { ...head, ...parameterSeries(rangeTime, variable.value ?? NaN) };
    }
    return { ...head, ...sampledSeries(rangeTime, valuesOf.get(variable)!, request.maxDataPoints) };
  });
}

/** A parameter is constant: two points spanning the requested range are enough to draw it. */
function parameterSeries(time: Float64Array, value: number) {
  const ends = time.length === 0 ? [] : time.length === 1 ? [time[0]] : [time[0], time[time.length - 1]];
  return { time: ends, values: ends.map(() => jsonNumber(value)), pointsInRange: time.length, downsampled: false };
}

function sampledSeries(time: Float64Array, values: Float64Array, maxDataPoints: number | undefined) {
  if (maxDataPoints === undefined || time.length <= maxDataPoints) {
    return { time: Array.from(time), values: Array.from(values, jsonNumber), pointsInRange: time.length, downsampled: false };
  }
  const keep = m4Indices(time, values, maxDataPoints);
  return {
    time: Array.from(keep, (i) => time[i]),
    values: Array.from(keep, (i) => jsonNumber(values[i])),
    pointsInRange: time.length,
    downsampled: true,
  };
}

function jsonNumber(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
