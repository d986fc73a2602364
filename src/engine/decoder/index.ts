import { DecodeError } from './errors';
import { FileSource, withFile } from './file-source';
import { openCsvResult } from './csv';
import { openHdf5Result } from './hdf5';
import { Mat4TrajectoryFile } from './mat4/trajectory';
import { openMat5Result } from './mat5';
import type { DecodeOptions, ResultFile } from './types';

export { DecodeError, isDecodeError } from './errors';
export type { DecodeOptions, RangeRead, ResultFile, SampledRead, VariableInfo, VariableKind } from './types';

export type SniffedFormat = 'mat4' | 'mat5' | 'mat73' | 'hdf5' | 'csv' | 'unknown';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const SNIFF_BYTES = 520;

function startsWithAt(bytes: Uint8Array, signature: number[], at: number): boolean {
  return bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
}

/**
 * Text that looks like a CSV header line: printable, with a separator, before the first newline.
 * Binary formats are tested first, so this only decides between CSV and unknown.
 */
function looksLikeCsv(head: Uint8Array): boolean {
  const newline = head.indexOf(0x0a);
  const line = head.subarray(0, newline === -1 ? head.length : newline);
  if (line.length === 0 || !/[,;\t]/.test(String.fromCharCode(...line.subarray(0, 512)))) {
    return false;
  }
  return line.every((b) => b >= 0x20 || b === 0x09 || b === 0x0d);
}

/** Tells the container format from the first bytes, never from the file name or header text. */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (startsWithAt(head, HDF5_SIGNATURE, 0)) {
    return 'hdf5';
  }
  if (head.length >= 128) {
    const endian = String.fromCharCode(head[126], head[127]);
    if (endian === 'IM' || endian === 'MI') {
      const version = endian === 'IM' ? head[124] | (head[125] << 8) : (head[124] << 8) | head[125];
      if (version === 0x0200 || startsWithAt(head, HDF5_SIGNATURE, 512)) {
        return 'mat73';
      }
      if (version === 0x0100) {
        return 'mat5';
      }
    }
  }
  if (head.length >= 20) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const le = view.getInt32(0, true);
    const be = view.getInt32(0, false);
    if ((le >= 0 && le <= 52) || (be >= 1000 && be <= 1052)) {
      return 'mat4';
    }
  }
  return looksLikeCsv(head) ? 'csv' : 'unknown';
}

async function decodeSource(source: FileSource, options: DecodeOptions): Promise<ResultFile> {
  if (source.size === 0) {
    throw new DecodeError(source.displayName, 'empty', 'file is empty');
  }
  const head = await source.read(0, Math.min(source.size, SNIFF_BYTES));
  const format = sniffFormat(head);
  switch (format) {
    case 'mat4':
      return Mat4TrajectoryFile.fromSource(source, options);
    case 'mat5':
      return openMat5Result(source);
    case 'mat73':
    case 'hdf5':
      return openHdf5Result(source, format);
    case 'csv':
      return openCsvResult(source);
    case 'unknown':
      throw new DecodeError(source.displayName, 'unknown_format', 'unknown format: not a MAT, HDF5 or CSV result file');
  }
}

/**
 * Opens a result file and reads its catalogue. Every failure is a DecodeError that names the
 * file (`displayName`) and the problem.
 */
export async function openResultFile(path: string, displayName = path, options: DecodeOptions = {}): Promise<ResultFile> {
  try {
    return await withFile(path, displayName, (source) => decodeSource(source, options));
  } catch (error) {
    if (error instanceof DecodeError) {
      throw error;
    }
    // A decoder bug must still surface as a per-file error, never take the caller down.
    const message = error instanceof Error ? error.message : String(error);
    throw new DecodeError(displayName, 'corrupt', `could not be decoded (${message})`);
  }
}
