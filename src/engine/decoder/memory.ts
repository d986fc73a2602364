import { DecodeError } from './errors';
import { VariableIndex } from './names';
import type { ResultFile, VariableInfo } from './types';

/** A variable of an in-memory result: trajectories carry one value per time point. */
export interface MemoryVariable {
  info: VariableInfo;
  /** Required for trajectories (same length as time); parameters carry `info.value` instead. */
  values?: Float64Array;
}

export interface MemoryResultInput {
  path: string;
  displayName: string;
  format: string;
  sizeBytes: number;
  modifiedMs: number;
  /** Non-decreasing; the first variable must be the time variable. */
  time: Float64Array;
  variables: MemoryVariable[];
}

/**
 * A result decoded completely into memory: what formats without random access (CSV, MAT v5)
 * produce. Decoders bound the file size they accept before building one.
 */
export class InMemoryResultFile implements ResultFile {
  readonly path: string;
  readonly displayName: string;
  readonly format: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  readonly variables: readonly VariableInfo[];
  private readonly time: Float64Array;
  private readonly columns = new Map<VariableInfo, Float64Array>();
  private readonly index: VariableIndex<VariableInfo>;

  constructor(input: MemoryResultInput) {
    this.path = input.path;
    this.displayName = input.displayName;
    this.format = input.format;
    this.sizeBytes = input.sizeBytes;
    this.modifiedMs = input.modifiedMs;
    this.time = input.time;
    this.variables = input.variables.map((v) => v.info);
    for (const variable of input.variables) {
      if (variable.info.kind === 'parameter') {
        continue;
      }
      if (!variable.values || variable.values.length !== input.time.length) {
        throw new DecodeError(input.displayName, 'corrupt', `variable "${variable.info.name}" has ${variable.values?.length ?? 0} values for ${input.time.length} time points`);
      }
      this.columns.set(variable.info, variable.values);
    }
    this.index = new VariableIndex(this.variables);
  }

  get timePointCount(): number {
    return this.time.length;
  }

  get startTime(): number | null {
    return this.time.length > 0 ? this.time[0] : null;
  }

  get stopTime(): number | null {
    return this.time.length > 0 ? this.time[this.time.length - 1] : null;
  }

  findVariable(name: string): VariableInfo | undefined {
    return this.index.find(name);
  }

  async readTime(): Promise<Float64Array> {
    return this.time;
  }

  async readValues(variables: readonly VariableInfo[], first: number, end: number): Promise<Float64Array[]> {
    const count = Math.max(0, end - first);
    return variables.map((variable) => {
      if (variable.kind === 'parameter') {
        return new Float64Array(count).fill(variable.value ?? NaN);
      }
      const column = this.columns.get(variable);
      if (!column) {
        throw new DecodeError(this.displayName, 'unknown_variable', `has no variable "${variable.name}"`);
      }
      return column.slice(first, first + count);
    });
  }
}
