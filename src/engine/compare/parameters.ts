import type { ResultFile, VariableInfo } from '../decoder';
import type { ParameterDifference, Tolerances } from './types';

/**
 * Whether two parameter values agree: both NaN agree; otherwise within max(absolute, relative x
 * |reference|). A parameter is one number, so the relative part is always taken of its magnitude
 * (its "range" would be 0).
 */
export function parametersAgree(value: number, reference: number, tolerances: Tolerances): boolean {
  if (value !== value || reference !== reference) {
    return value !== value && reference !== reference;
  }
  if (value === reference) {
    return true;
  }
  const allowed = Math.max(Math.max(0, tolerances.absolute), Math.max(0, tolerances.relative) * Math.abs(reference));
  return Math.abs(value - reference) <= allowed;
}

function numberOrNull(value: number | undefined): number | null {
  return value === undefined || value !== value ? null : value;
}

/**
 * The parameters of either file that differ or that one file lacks, in the reference's order and
 * then the run's. Names match as the catalogue matches them (tool spellings included).
 */
export function parameterDifferences(
  run: ResultFile,
  reference: ResultFile,
  tolerances: Tolerances
): ParameterDifference[] {
  const differences: ParameterDifference[] = [];
  const matched = new Set<VariableInfo>();
  for (const ref of reference.variables) {
    if (ref.kind !== 'parameter') {
      continue;
    }
    const other = run.findVariable(ref.name);
    const value = other?.kind === 'parameter' ? other : undefined;
    if (value) {
      matched.add(value);
    }
    if (!value || !parametersAgree(value.value ?? NaN, ref.value ?? NaN, tolerances)) {
      differences.push({
        name: ref.name,
        unit: ref.unit,
        value: numberOrNull(value?.value),
        referenceValue: numberOrNull(ref.value),
      });
    }
  }
  for (const own of run.variables) {
    if (own.kind === 'parameter' && !matched.has(own) && reference.findVariable(own.name)?.kind !== 'parameter') {
      differences.push({ name: own.name, unit: own.unit, value: numberOrNull(own.value), referenceValue: null });
    }
  }
  return differences;
}
