import { DecodeError } from '../errors';
import { VariableIndex } from '../names';
import type { ResultFile, VariableInfo } from '../types';
import type { Catalogue, SampleLocation } from './protocol';
import { hdf5WorkerOptions, requestSamples } from './worker-client';

export interface FileFacts {
  path: string;
  /** Absolute, for the worker. */
  absolutePath: string;
  displayName: string;
  sizeBytes: number;
  modifiedMs: number;
}

interface PendingColumn {
  slot: number;
  location: SampleLocation;
}

/**
 * An HDF5 result: the catalogue and abscissa in memory, trajectories read on demand as
 * hyperslabs of `[first, end)`, so files far larger than memory can be served.
 */
export class Hdf5ResultFile implements ResultFile {
  readonly path: string;
  readonly displayName: string;
  readonly format: string;
  readonly sizeBytes: number;
  readonly modifiedMs: number;
  readonly variables: readonly VariableInfo[];
  private readonly absolutePath: string;
  private readonly time: Float64Array;
  private readonly locations = new Map<VariableInfo, SampleLocation>();
  private readonly index: VariableIndex<VariableInfo>;

  constructor(facts: FileFacts, catalogue: Catalogue) {
    this.path = facts.path;
    this.absolutePath = facts.absolutePath;
    this.displayName = facts.displayName;
    this.sizeBytes = facts.sizeBytes;
    this.modifiedMs = facts.modifiedMs;
    this.format = catalogue.format;
    this.time = catalogue.time;
    this.variables = catalogue.entries.map((entry) => entry.info);
    for (const entry of catalogue.entries) {
      if (entry.location && entry.info.kind === 'trajectory') {
        this.locations.set(entry.info, entry.location);
      }
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
    const start = Math.min(Math.max(0, first), this.time.length);
    const stop = Math.min(Math.max(start, end), this.time.length);
    const results: Float64Array[] = [];
    const pending: PendingColumn[] = [];
    variables.forEach((variable, slot) => {
      if (variable.kind === 'parameter') {
        results[slot] = new Float64Array(stop - start).fill(variable.value ?? NaN);
      } else if (variable.kind === 'time') {
        results[slot] = this.time.slice(start, stop);
      } else {
        const location = this.locations.get(variable);
        if (!location) {
          throw new DecodeError(this.displayName, 'unknown_variable', `has no variable "${variable.name}"`);
        }
        pending.push({ slot, location });
      }
    });
    const { valuesPerRequest } = hdf5WorkerOptions();
    if (stop - start > valuesPerRequest) {
      for (const column of pending) {
        results[column.slot] = await this.readLongColumn(column.location, start, stop, valuesPerRequest);
      }
    } else {
      await this.readBatches(pending, start, stop, valuesPerRequest, results);
    }
    return results;
  }

  /** Several variables per request, as many as fit in `valuesPerRequest`. */
  private async readBatches(
    pending: PendingColumn[],
    start: number,
    stop: number,
    valuesPerRequest: number,
    results: Float64Array[]
  ): Promise<void> {
    const perRequest = Math.max(1, Math.floor(valuesPerRequest / Math.max(1, stop - start)));
    for (let i = 0; i < pending.length; i += perRequest) {
      const batch = pending.slice(i, i + perRequest);
      const locations = batch.map((column) => column.location);
      const columns = await requestSamples(this.displayName, this.absolutePath, locations, start, stop);
      batch.forEach((column, k) => (results[column.slot] = columns[k]));
    }
  }

  /** One variable over a range longer than a request may carry, read piece by piece. */
  private async readLongColumn(
    location: SampleLocation,
    start: number,
    stop: number,
    valuesPerRequest: number
  ): Promise<Float64Array> {
    const result = new Float64Array(stop - start);
    for (let from = start; from < stop; from += valuesPerRequest) {
      const to = Math.min(stop, from + valuesPerRequest);
      const [piece] = await requestSamples(this.displayName, this.absolutePath, [location], from, to);
      result.set(piece, from - start);
    }
    return result;
  }
}
