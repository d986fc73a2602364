/**
 * A deliberately independent MAT v4 header walker for the fuzzer: it must not share code with the
 * decoder under test, or a bug in one would hide in the other. It finds where the records of a
 * seed are, so mutations can aim at headers, names and record boundaries.
 */

export const HEADER_BYTES = 20;

export type HeaderField = 'type' | 'mrows' | 'ncols' | 'imagf' | 'namlen';

export const HEADER_FIELDS: readonly HeaderField[] = ['type', 'mrows', 'ncols', 'imagf', 'namlen'];

const FIELD_INDEX: Record<HeaderField, number> = { type: 0, mrows: 1, ncols: 2, imagf: 3, namlen: 4 };

/** Element sizes by the P digit of the type code (float64, float32, int32, int16, uint16, uint8). */
const ELEMENT_SIZES = [8, 4, 4, 2, 2, 1];

/** Longer names than this are not walked: no real record has one, and the walker must stay cheap. */
const MAX_WALK_NAME = 4096;

export interface RecordSpan {
  name: string;
  offset: number;
  nameOffset: number;
  dataOffset: number;
  /** Just past the declared data (may lie beyond the end of the bytes for a growing last record). */
  end: number;
  littleEndian: boolean;
  type: number;
  rows: number;
  cols: number;
  namlen: number;
  elementSize: number;
  isText: boolean;
  /** 2 when an imaginary part follows the real part (imagf = 1). */
  parts: number;
}

interface ParsedType {
  littleEndian: boolean;
  type: number;
  elementSize: number;
  isText: boolean;
}

function parseType(view: DataView, offset: number): ParsedType | undefined {
  for (const littleEndian of [true, false]) {
    const type = view.getInt32(offset, littleEndian);
    const m = Math.floor(type / 1000);
    const p = Math.floor(type / 10) % 10;
    const t = type % 10;
    if (type >= 0 && m === (littleEndian ? 0 : 1) && Math.floor(type / 100) % 10 === 0 && p <= 5 && t <= 1) {
      return { littleEndian, type, elementSize: ELEMENT_SIZES[p], isText: t === 1 };
    }
  }
  return undefined;
}

function recordAt(bytes: Uint8Array, view: DataView, offset: number): RecordSpan | undefined {
  if (offset + HEADER_BYTES > bytes.length) {
    return undefined;
  }
  const parsed = parseType(view, offset);
  if (!parsed) {
    return undefined;
  }
  const field = (i: number): number => view.getInt32(offset + 4 * i, parsed.littleEndian);
  const [rows, cols, imagf, namlen] = [field(1), field(2), field(3), field(4)];
  const nameOffset = offset + HEADER_BYTES;
  if (rows < 0 || cols < 0 || (imagf !== 0 && imagf !== 1) || namlen < 1 || namlen > MAX_WALK_NAME) {
    return undefined;
  }
  if (nameOffset + namlen > bytes.length) {
    return undefined;
  }
  const nameBytes = bytes.subarray(nameOffset, nameOffset + namlen);
  const nul = nameBytes.indexOf(0);
  const name = String.fromCharCode(...nameBytes.subarray(0, nul === -1 ? namlen : nul));
  const dataOffset = nameOffset + namlen;
  const end = dataOffset + rows * cols * parsed.elementSize * (imagf === 1 ? 2 : 1);
  return { name, offset, nameOffset, dataOffset, end, namlen, rows, cols, parts: imagf + 1, ...parsed };
}

/** The records of `bytes` in order, up to the first header that is not a plausible MAT v4 header. */
export function walkRecords(bytes: Uint8Array, maxRecords = 256): RecordSpan[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: RecordSpan[] = [];
  let offset = 0;
  while (records.length < maxRecords) {
    const record = recordAt(bytes, view, offset);
    if (!record) {
      break;
    }
    records.push(record);
    if (record.end >= bytes.length) {
      break;
    }
    offset = record.end;
  }
  return records;
}

export function fieldOffset(record: RecordSpan, field: HeaderField): number {
  return record.offset + 4 * FIELD_INDEX[field];
}

export function writeInt32(bytes: Uint8Array, at: number, value: number, littleEndian: boolean): void {
  if (at >= 0 && at + 4 <= bytes.length) {
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setInt32(at, value | 0, littleEndian);
  }
}

export function readInt32(bytes: Uint8Array, at: number, littleEndian: boolean): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(at, littleEndian);
}

/** One MAT v4 record, for the seeds the project's writer cannot produce (Atrajectory 1.0). */
export function encodeRecord(
  name: string,
  type: number,
  rows: number,
  cols: number,
  payload: Uint8Array,
  littleEndian = true
): Uint8Array {
  const nameBytes = new TextEncoder().encode(`${name}\0`);
  const out = new Uint8Array(HEADER_BYTES + nameBytes.length + payload.length);
  const view = new DataView(out.buffer);
  [type + (littleEndian ? 0 : 1000), rows, cols, 0, nameBytes.length].forEach((v, i) =>
    view.setInt32(4 * i, v, littleEndian)
  );
  out.set(nameBytes, HEADER_BYTES);
  out.set(payload, HEADER_BYTES + nameBytes.length);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
