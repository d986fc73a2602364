import { DecodeError } from '../errors';
import type { FileSource } from '../file-source';

/** MAT v4 element types, the P digit of the record type code. */
export enum ElementType {
  Float64 = 0,
  Float32 = 1,
  Int32 = 2,
  Int16 = 3,
  UInt16 = 4,
  UInt8 = 5,
}

const ELEMENT_SIZES: Record<ElementType, number> = {
  [ElementType.Float64]: 8,
  [ElementType.Float32]: 4,
  [ElementType.Int32]: 4,
  [ElementType.Int16]: 2,
  [ElementType.UInt16]: 2,
  [ElementType.UInt8]: 1,
};

export function elementSize(type: ElementType): number {
  return ELEMENT_SIZES[type];
}

export const RECORD_HEADER_BYTES = 20;
/** Real matrix names are short ("Aclass", "data_2"); anything longer is a corrupt header. */
const MAX_NAME_BYTES = 64;

export interface Mat4Record {
  name: string;
  /** Offset of the 20-byte header. */
  offset: number;
  /** Offset of the first real element. */
  dataOffset: number;
  rows: number;
  /** Columns as declared in the header. */
  declaredCols: number;
  elementType: ElementType;
  isText: boolean;
  littleEndian: boolean;
  hasImaginary: boolean;
  /** Bytes of the real part as declared. */
  declaredBytes: number;
  /** Offset just past the declared record (real and imaginary parts). */
  end: number;
}

interface TypeCode {
  littleEndian: boolean;
  elementType: ElementType;
  isText: boolean;
}

/**
 * Decodes the type field, which also tells the byte order: M = 0 is little-endian, M = 1 big-endian.
 * A little-endian read of a big-endian type gives a huge or negative number, so try LE first.
 */
function decodeTypeCode(header: DataView, file: string, offset: number): TypeCode {
  for (const littleEndian of [true, false]) {
    const code = header.getInt32(0, littleEndian);
    if (code < 0 || code > 4052) {
      continue;
    }
    const m = Math.floor(code / 1000);
    const o = Math.floor(code / 100) % 10;
    const p = Math.floor(code / 10) % 10;
    const t = code % 10;
    if (m !== (littleEndian ? 0 : 1)) {
      if (m >= 2 && m <= 4) {
        throw new DecodeError(file, 'unsupported_format', `record at byte ${offset} uses VAX/Cray number format (type ${code}), which is not supported`);
      }
      continue;
    }
    if (o !== 0 || p > 5 || t > 2) {
      continue;
    }
    if (t === 2) {
      throw new DecodeError(file, 'unsupported_format', `record at byte ${offset} is a sparse matrix, which result files never use`);
    }
    return { littleEndian, elementType: p as ElementType, isText: t === 1 };
  }
  throw new DecodeError(file, 'corrupt', `record at byte ${offset} has an invalid MAT v4 type code`);
}

/** Reads and validates the record header at `offset`. The data itself is not read. */
export async function readRecordHeader(source: FileSource, offset: number): Promise<Mat4Record> {
  const file = source.displayName;
  if (offset + RECORD_HEADER_BYTES > source.size) {
    throw new DecodeError(file, 'truncated', `file ends inside the record header at byte ${offset}`);
  }
  const headerBytes = await source.read(offset, RECORD_HEADER_BYTES);
  const view = new DataView(headerBytes.buffer, headerBytes.byteOffset, RECORD_HEADER_BYTES);
  const type = decodeTypeCode(view, file, offset);
  const rows = view.getInt32(4, type.littleEndian);
  const cols = view.getInt32(8, type.littleEndian);
  const imagf = view.getInt32(12, type.littleEndian);
  const nameLength = view.getInt32(16, type.littleEndian);
  if (rows < 0 || cols < 0) {
    throw new DecodeError(file, 'corrupt', `record at byte ${offset} has negative dimensions ${rows}x${cols}`);
  }
  if (imagf !== 0 && imagf !== 1) {
    throw new DecodeError(file, 'corrupt', `record at byte ${offset} has an invalid imaginary flag ${imagf}`);
  }
  if (nameLength < 1 || nameLength > MAX_NAME_BYTES) {
    throw new DecodeError(file, 'corrupt', `record at byte ${offset} has an invalid name length ${nameLength}`);
  }
  const nameOffset = offset + RECORD_HEADER_BYTES;
  if (nameOffset + nameLength > source.size) {
    throw new DecodeError(file, 'truncated', `file ends inside the name of the record at byte ${offset}`);
  }
  const name = decodeRecordName(await source.read(nameOffset, nameLength));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new DecodeError(file, 'corrupt', `record at byte ${offset} has an invalid name`);
  }
  const dataOffset = nameOffset + nameLength;
  // Dimensions are int32 but their product can exceed 2^32 bytes: plain number arithmetic is exact here.
  const declaredBytes = rows * cols * elementSize(type.elementType);
  return {
    name,
    offset,
    dataOffset,
    rows,
    declaredCols: cols,
    elementType: type.elementType,
    isText: type.isText,
    littleEndian: type.littleEndian,
    hasImaginary: imagf === 1,
    declaredBytes,
    end: dataOffset + declaredBytes * (imagf === 1 ? 2 : 1),
  };
}

function decodeRecordName(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return String.fromCharCode(...bytes.subarray(0, nul === -1 ? bytes.length : nul));
}

/** Fails unless the whole declared record lies inside the file. */
export function requireComplete(record: Mat4Record, source: FileSource): void {
  if (record.end > source.size) {
    throw new DecodeError(
      source.displayName,
      'truncated',
      `matrix "${record.name}" needs ${record.end - record.dataOffset} bytes from byte ${record.dataOffset}, but the file ends at ${source.size}`
    );
  }
}
