import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import type { ResultFile } from '../types';

/** CSV results (OpenModelica -outputFormat=csv, Dymola/FMPy exports). */
export async function openCsvResult(source: FileSource): Promise<ResultFile> {
  throw new DecodeError(source.displayName, 'unsupported_format', 'CSV results are not supported yet');
}
