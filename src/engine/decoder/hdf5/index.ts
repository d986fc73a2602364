import path from 'node:path';

import type { FileSource } from '../file-source';
import type { ResultFile } from '../types';
import { Hdf5ResultFile } from './result';
import { requestCatalogue } from './worker-client';

export { configureHdf5Worker, shutdownHdf5Worker } from './worker-client';
export { hdf5WorkerBundle } from './worker-source';

/**
 * MATLAB v7.3 MAT-files and HDF5 results in the SDF layout, through h5wasm in a worker thread.
 * The returned file reads its samples on demand (it opens the file again by path).
 */
export async function openHdf5Result(source: FileSource, kind: 'mat73' | 'hdf5'): Promise<ResultFile> {
  const absolutePath = path.resolve(source.path);
  const catalogue = await requestCatalogue(source.displayName, absolutePath, kind);
  const facts = {
    path: source.path,
    absolutePath,
    displayName: source.displayName,
    sizeBytes: source.size,
    modifiedMs: source.modifiedMs,
  };
  return new Hdf5ResultFile(facts, catalogue);
}
