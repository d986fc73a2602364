import { create, unitDependencies, type MathJsInstance } from 'mathjs';

/** Only mathjs's units: the rest of the library stays out of the bundle. */
const math: Partial<MathJsInstance> = create({ unitDependencies });

/** Modelica unit symbols that mathjs spells differently (Modelica Language Spec. 19.1, MSL NonSI). */
const SYMBOLS: Record<string, string> = {
  rev: 'cycle',
  rpm: 'cycle/min',
  degRk: 'degR',
  d: 'day',
  Ohm: 'ohm',
};

/**
 * A Modelica unit expression (`kg.m2`, `W/(m2.K)`, `s-1`, `rev/min`) in mathjs syntax: `.` is
 * multiplication and a number right after a symbol is its exponent.
 */
export function toMathjsUnit(modelica: string): string {
  return modelica
    .replace(/[A-Za-z]+/g, (symbol) => SYMBOLS[symbol] ?? symbol)
    .replace(/([A-Za-z)])([+-]?\d+)/g, '$1^$2')
    .replace(/\./g, '*');
}

export interface Converter {
  unit: string;
  convert: (value: number) => number;
}

const cache = new Map<string, Converter | null>();

/**
 * How values in `unit` become values in `displayUnit`, e.g. K -> degC, Pa -> bar, rad/s -> rpm;
 * null when the units are not convertible (or unknown to the units library). Affine units
 * (temperatures) are handled by mathjs: 300 K is 26.85 degC, not 300 - 273.15 of a difference.
 */
export function displayConverter(unit: string | null | undefined, displayUnit: string | null | undefined): Converter | null {
  if (!unit || !displayUnit || unit === displayUnit) {
    return null;
  }
  const key = `${unit}\u0000${displayUnit}`;
  if (!cache.has(key)) {
    cache.set(key, buildConverter(unit, displayUnit));
  }
  return cache.get(key) ?? null;
}

/**
 * Unit conversions are affine (scale, plus an offset for temperatures), so two conversions by the
 * library give the transform for every value: a mathjs Unit per point cost milliseconds per series.
 */
function buildConverter(unit: string, displayUnit: string): Converter | null {
  const from = toMathjsUnit(unit);
  const to = toMathjsUnit(displayUnit);
  try {
    const makeUnit = math.unit!;
    const offset = makeUnit(0, from).toNumber(to);
    const scale = makeUnit(1, from).toNumber(to) - offset;
    return Number.isFinite(scale) && Number.isFinite(offset) ? { unit: displayUnit, convert: (value) => value * scale + offset } : null;
  } catch {
    return null;
  }
}

/** Values converted with `converter`; null (NaN, ±Infinity in transit) stays null. */
export function convertValues(values: ReadonlyArray<number | null>, converter: Converter): Array<number | null> {
  return values.map((v) => (v === null ? null : converter.convert(v)));
}
