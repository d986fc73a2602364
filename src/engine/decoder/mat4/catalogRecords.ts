/** Bounds-checked reads of catalogue matrices, shared by the header walk and both version parsers. */
import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';
import type { DataMatrix } from './matrix';
import { ElementType, requireComplete, type Mat4Record } from './records';
import { decodeDescriptionMatrix, decodeTextMatrix, type DescriptionColumns } from './text';

/** Catalogue matrices (names, descriptions, dataInfo, data_1) above this size are rejected as corrupt. */
const MAX_CATALOG_MATRIX_BYTES = 1024 * 1024 * 1024;

export async function readMatrixBytes(source: FileSource, record: Mat4Record): Promise<Uint8Array> {
  requireComplete(record, source);
  if (record.declaredBytes > MAX_CATALOG_MATRIX_BYTES) {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `matrix "${record.name}" declares ${record.declaredBytes} bytes, more than a catalogue matrix can hold`
    );
  }
  return source.read(record.dataOffset, record.declaredBytes);
}

export function dataMatrix(record: Mat4Record, cols: number, samplesContiguous: boolean): DataMatrix {
  return {
    name: record.name,
    dataOffset: record.dataOffset,
    signals: samplesContiguous ? record.rows : cols,
    samples: samplesContiguous ? cols : record.rows,
    samplesContiguous,
    elementType: record.elementType,
    littleEndian: record.littleEndian,
  };
}

export function requireNumeric(source: FileSource, record: Mat4Record): void {
  if (record.isText) {
    throw new DecodeError(source.displayName, 'corrupt', `matrix "${record.name}" is text, expected numbers`);
  }
}

export async function readStrings(source: FileSource, record: Mat4Record, transposed: boolean): Promise<string[]> {
  requireText(source, record);
  return decodeTextMatrix(await readMatrixBytes(source, record), record, record.declaredCols, transposed);
}

export async function readDescriptions(
  source: FileSource,
  record: Mat4Record,
  transposed: boolean
): Promise<DescriptionColumns> {
  requireText(source, record);
  return decodeDescriptionMatrix(await readMatrixBytes(source, record), record, record.declaredCols, transposed);
}

function requireText(source: FileSource, record: Mat4Record): void {
  if (!record.isText && record.elementType !== ElementType.Float64 && record.elementType !== ElementType.UInt8) {
    throw new DecodeError(source.displayName, 'corrupt', `matrix "${record.name}" is not text`);
  }
  // Strings of zero width take no bytes: bound their number by the file size, or a corrupt header
  // could ask for billions of them.
  if (record.rows > source.size || record.declaredCols > source.size) {
    throw new DecodeError(
      source.displayName,
      'corrupt',
      `text matrix "${record.name}" is ${record.rows}x${record.declaredCols}, more than the file can hold`
    );
  }
}
