import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import type { ResultFile } from '../types';

/** MATLAB v5/v7 MAT-files (through mat-for-js). */
export async function openMat5Result(source: FileSource): Promise<ResultFile> {
  throw new DecodeError(
    source.displayName,
    'unsupported_format',
    'MATLAB v5/v7 MAT-file: not a Dymola/OpenModelica trajectory result (MAT v5 support is planned)'
  );
}
