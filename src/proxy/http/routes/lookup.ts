/** Shared by the routes: simulation lookup by id, and user patterns turned into 400s. */
import type { Simulation } from '../../../shared/api';
import type { Catalog } from '../../../engine/catalog/catalog';
import { isWellFormedId } from '../../../engine/catalog/ids';
import { PatternError, searchVariables, type VariableMatch } from '../../../engine/catalog/match';
import { DecodeError, type ResultFile, type VariableInfo } from '../../../engine/decoder';
import { HttpError } from '../errors';

export function requireSimulation(catalog: Catalog, id: string): Simulation {
  const simulation = isWellFormedId(id) ? catalog.get(id) : undefined;
  if (!simulation) {
    throw new HttpError(404, 'not_found', `no simulation with id "${id}"`);
  }
  return simulation;
}

/** The decoded file of a listed simulation: 404 when unknown, 422 when it cannot be read. */
export async function requireFile(catalog: Catalog, id: string): Promise<ResultFile> {
  const simulation = requireSimulation(catalog, id);
  let file: ResultFile | undefined;
  try {
    file = await catalog.openFile(simulation.id);
  } catch (error) {
    if (error instanceof DecodeError) {
      throw new HttpError(422, 'unreadable_simulation', error.message);
    }
    throw error;
  }
  if (!file) {
    throw new HttpError(404, 'not_found', `no simulation with id "${simulation.id}"`);
  }
  return file;
}

/** searchVariables, with a bad glob or regular expression answered as 400 naming the problem. */
export function matchVariables(variables: readonly VariableInfo[], match: VariableMatch): VariableInfo[] {
  try {
    return searchVariables(variables, match);
  } catch (error) {
    if (error instanceof PatternError) {
      throw new HttpError(400, 'bad_pattern', error.message);
    }
    throw error;
  }
}
