/** Which variables a comparison covers: names and globs matched in both runs, paired by name. */
import { isGlob } from '../../../../shared/api';
import { globMatcher, PatternError } from '../../../../engine/catalog/match';
import type { ResultFile, VariableInfo } from '../../../../engine/decoder';
import type { VariablePair } from '../../../../engine/compare/types';
import { HttpError } from '../../errors';

const EVERYTHING = ['*'];

function trajectoriesMatching(file: ResultFile, matches: (name: string) => boolean): VariableInfo[] {
  return file.variables.filter((variable) => variable.kind === 'trajectory' && matches(variable.name));
}

function matcherOf(pattern: string): (name: string) => boolean {
  try {
    return globMatcher(pattern);
  } catch (error) {
    if (error instanceof PatternError) {
      throw new HttpError(400, 'bad_pattern', error.message);
    }
    throw error;
  }
}

/**
 * The pairs for `patterns` (default: every trajectory), in the reference's order and then the
 * run's own. A plain name is looked up tolerantly on each side; a side that lacks it leaves its half
 * of the pair empty, which the comparison reports as missing.
 */
export function pairVariables(run: ResultFile, reference: ResultFile, patterns: readonly string[] = EVERYTHING): VariablePair[] {
  const pairs = new Map<string, VariablePair>();
  const add = (name: string, side: 'run' | 'reference', info: VariableInfo | undefined) => {
    const pair = pairs.get(name) ?? { name };
    pairs.set(name, { ...pair, [side]: info ?? pair[side] });
  };
  for (const pattern of patterns) {
    if (!isGlob(pattern)) {
      const inReference = reference.findVariable(pattern);
      const inRun = run.findVariable(pattern);
      const name = inReference?.name ?? inRun?.name ?? pattern;
      add(name, 'reference', inReference);
      add(name, 'run', inRun);
      continue;
    }
    const matches = matcherOf(pattern);
    trajectoriesMatching(reference, matches).forEach((info) => add(info.name, 'reference', info));
    trajectoriesMatching(run, matches).forEach((info) => add(info.name, 'run', info));
  }
  return [...pairs.values()];
}
