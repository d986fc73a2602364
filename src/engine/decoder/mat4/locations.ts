/** Where each variable's values live: filled by the version parsers, used by every read path. */
import type { VariableInfo } from '../types';
import type { DataMatrix } from './matrix';

/** Where a variable's values live: a signal of data_1 or data_2, possibly negated. */
export interface Location {
  matrix: 'data_1' | 'data_2';
  signal: number;
  negate: boolean;
}

/**
 * Every variable's Location, packed (variables[j] <-> slot j). A 25,000-variable catalogue spent
 * a large share of its time collecting one Location object and Map entry per variable; reads
 * need the locations of a few variables only, so objects are made on demand.
 */
export class LocationTable {
  private readonly signals: Int32Array;
  private readonly flags: Uint8Array;
  private size = 0;

  constructor(capacity: number) {
    this.signals = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  push(matrix: Location['matrix'], signal: number, negate: boolean): void {
    this.signals[this.size] = signal;
    this.flags[this.size] = (matrix === 'data_1' ? 1 : 0) | (negate ? 2 : 0);
    this.size++;
  }

  at(slot: number): Location {
    const flags = this.flags[slot];
    return { matrix: flags & 1 ? 'data_1' : 'data_2', signal: this.signals[slot], negate: (flags & 2) !== 0 };
  }
}

/** What a version parser (version11.ts, version10.ts) makes of the catalogue. */
export interface ParsedTrajectory {
  variables: VariableInfo[];
  locations: LocationTable;
  data1: DataMatrix | undefined;
  data2: DataMatrix;
}

export function uniqueTrajectorySignals(locations: readonly Location[]): number[] {
  return [...new Set(locations.filter((l) => l.matrix === 'data_2').map((l) => l.signal))];
}

/** One array per variable from the signals read: parameters filled with their value, negated aliases copied. */
export function assembleValues(
  variables: readonly VariableInfo[],
  locations: Location[],
  signals: readonly number[],
  columns: Float64Array[],
  count: number
): Float64Array[] {
  const bySignal = new Map(signals.map((signal, k) => [signal, columns[k]]));
  return variables.map((variable, k) => {
    const location = locations[k];
    if (location.matrix === 'data_1') {
      return new Float64Array(count).fill(variable.value ?? NaN);
    }
    const column = bySignal.get(location.signal)!;
    return location.negate ? negated(column) : column;
  });
}

function negated(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    // Unary minus keeps the sign of zero: a negated alias of 0 is -0, as in the file's semantics.
    out[i] = -values[i];
  }
  return out;
}
