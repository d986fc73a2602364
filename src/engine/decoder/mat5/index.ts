import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import { InMemoryResultFile } from '../memory';
import type { ResultFile } from '../types';
import { readWithMatForJs } from './mat-for-js';
import { prepareMat5 } from './prepare';
import { buildMat5Variables } from './variables';

/**
 * mat-for-js builds plain nested JS arrays synchronously (a 50 MB file takes about 3 s and peaks
 * near 500 MB of memory, blocking the proxy meanwhile), so larger files, and files holding more
 * than this once decompressed, are refused.
 */
export const MAT5_MAX_BYTES = 64 * 1024 * 1024;
const MIB = 1024 * 1024;

export interface Mat5DecodeOptions {
  /** Files above this size, or holding more once decompressed, are refused (default MAT5_MAX_BYTES). */
  maxBytes?: number;
}

function formatMiB(bytes: number): string {
  return String(Number((bytes / MIB).toPrecision(3)));
}

/** MATLAB v5/v7 MAT-files (through mat-for-js): variables, fields of structs, matrix columns. */
export async function openMat5Result(source: FileSource, options: Mat5DecodeOptions = {}): Promise<ResultFile> {
  const file = source.displayName;
  const maxBytes = options.maxBytes ?? MAT5_MAX_BYTES;
  if (source.size > maxBytes) {
    throw new DecodeError(
      file,
      'unsupported_format',
      `MAT v5 files above ${formatMiB(maxBytes)} MiB are not supported: mat-for-js builds them in memory (this one is ${formatMiB(source.size)} MiB)`
    );
  }
  try {
    const prepared = prepareMat5(file, await source.read(0, source.size), maxBytes);
    const contents = await readWithMatForJs(file, prepared.bytes);
    const { time, variables } = buildMat5Variables(file, prepared.arrays, contents.data);
    return new InMemoryResultFile({
      path: source.path,
      displayName: file,
      format: 'mat5',
      sizeBytes: source.size,
      modifiedMs: source.modifiedMs,
      time,
      variables,
    });
  } catch (error) {
    throw asDecodeError(file, error);
  }
}

/** mat-for-js throws FormatError, FeatureError, RangeError and (from pako) plain strings. */
function asDecodeError(file: string, error: unknown): DecodeError {
  if (error instanceof DecodeError) {
    return error;
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'FeatureError') {
    return new DecodeError(file, 'unsupported_format', `MAT v5 file not supported by mat-for-js: ${message}`);
  }
  if (error instanceof RangeError || name === 'FormatError') {
    return new DecodeError(file, 'corrupt', `MAT v5 file is damaged or truncated: mat-for-js failed (${message})`);
  }
  return new DecodeError(file, 'corrupt', `MAT v5 file could not be decoded by mat-for-js (${message})`);
}
