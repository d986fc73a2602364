import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import type { ResultFile } from '../types';

/** MATLAB v7.3 MAT-files and HDF5 results in the SDF layout (through h5wasm). */
export async function openHdf5Result(source: FileSource, kind: 'mat73' | 'hdf5'): Promise<ResultFile> {
  throw new DecodeError(
    source.displayName,
    'unsupported_format',
    kind === 'mat73' ? 'MATLAB v7.3 (HDF5) MAT-file: not supported yet' : 'HDF5 file: not supported yet'
  );
}
