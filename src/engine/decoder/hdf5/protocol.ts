/**
 * Messages between the decoder (main thread) and the worker thread that runs the HDF5 library.
 * Only plain data crosses: variable catalogues, sample locations and Float64Arrays.
 */
import type { DecodeErrorCode } from '../errors';
import type { VariableInfo } from '../types';

export type Hdf5Kind = 'mat73' | 'hdf5';

/** Where one variable's samples are: a dataset and, for a 2-D dataset, its row or column. */
export interface SampleLocation {
  /** Absolute HDF5 path of the dataset. */
  dataset: string;
  rank: 1 | 2;
  /** The HDF5 dimension that runs along the abscissa (always 0 for 1-D datasets). */
  timeAxis: 0 | 1;
  /** The index along the other dimension of a 2-D dataset (0 for 1-D datasets). */
  index: number;
}

export interface CatalogueEntry {
  info: VariableInfo;
  /** Absent for parameters (their value is in `info`) and for a sample-index abscissa. */
  location?: SampleLocation;
}

export interface Catalogue {
  format: 'sdf' | 'mat73';
  /** The abscissa, already checked to be non-decreasing. */
  time: Float64Array;
  /** The abscissa's variable comes first. */
  entries: CatalogueEntry[];
}

export type WorkerRequest =
  | { id: number; op: 'open'; path: string; kind: Hdf5Kind }
  | { id: number; op: 'read'; path: string; locations: SampleLocation[]; first: number; end: number };

export interface WorkerFailure {
  code: DecodeErrorCode;
  problem: string;
  /** The HDF5 library threw: handles it had open stay open (the file stays cached). */
  fromLibrary: boolean;
  /** WebAssembly trapped or aborted: the library's state can no longer be trusted. */
  fatal: boolean;
}

export type WorkerReply =
  | { id: number; ok: true; catalogue: Catalogue }
  | { id: number; ok: true; columns: Float64Array[] }
  | { id: number; ok: false; failure: WorkerFailure };
