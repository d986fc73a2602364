import { DEFAULT_TOLERANCES, type Tolerances } from './types';

/**
 * Each field from the first of `partial`, then `fallbacks` in order, that defines it, else from
 * DEFAULT_TOLERANCES: a request's tolerances over a dashboard's over the defaults. `time: null`
 * counts as defined (it asks for the relative time tolerance explicitly).
 */
export function resolveTolerances(
  partial?: Partial<Tolerances>,
  ...fallbacks: Array<Partial<Tolerances> | undefined>
): Tolerances {
  const layers = [partial, ...fallbacks];
  const pick = <K extends keyof Tolerances>(key: K): Tolerances[K] => {
    for (const layer of layers) {
      const value = layer?.[key];
      if (value !== undefined) {
        return value as Tolerances[K];
      }
    }
    return DEFAULT_TOLERANCES[key];
  };
  return { absolute: pick('absolute'), relative: pick('relative'), relativeTo: pick('relativeTo'), time: pick('time') };
}

/** The tube's half-width in time: the given one, or csv-compare's relative tolerance times the reference's duration. */
export function timeTolerance(tolerances: Tolerances, referenceDuration: number): number {
  const width = tolerances.time ?? tolerances.relative * referenceDuration;
  return Number.isFinite(width) && width > 0 ? width : 0;
}

/**
 * How the half-height of the tube is taken at a reference point of value y: the largest of the
 * absolute tolerance and the relative one times the reference's range (`range` given, floored
 * at RANGE_FLOOR) or |y|.
 */
export interface HalfHeight {
  /** Set when the half-height is one constant (relative to the range, or no relative part). */
  constant: number | null;
  at(y: number): number;
}

/**
 * The smallest value range a tube relative to the range is sized from (csv-compare, PR #67): a
 * constant reference has range 0, and a tube of height 0 would fail any run that differs by a
 * rounding (a float32 result against a float64 one of the same model).
 */
export const RANGE_FLOOR = 0.001;

export function halfHeight(tolerances: Tolerances, range: number): HalfHeight {
  const absolute = Math.max(0, tolerances.absolute);
  const relative = Math.max(0, tolerances.relative);
  if (tolerances.relativeTo === 'range' || relative === 0) {
    const floored = Number.isFinite(range) && range > RANGE_FLOOR ? range : RANGE_FLOOR;
    const constant = Math.max(absolute, relative * floored);
    return { constant, at: () => constant };
  }
  return { constant: null, at: (y) => Math.max(absolute, relative * Math.abs(y)) };
}

/** Whether the tube needs the reference's range, which takes a pass over the reference first. */
export function needsRange(tolerances: Tolerances): boolean {
  return tolerances.relativeTo === 'range' && tolerances.relative > 0;
}
