/**
 * Data element tags of MAT v5 files, read the way mat-for-js reads them so that both see the same
 * elements (see lib/mat4js.read.js, readDataElem).
 */

export const MI_INT8 = 1;
export const MI_UINT8 = 2;
export const MI_INT32 = 5;
export const MI_UINT32 = 6;
export const MI_MATRIX = 14;
export const MI_COMPRESSED = 15;

/** Bytes per value of the numeric data types mat-for-js reads (8, 10 and 11 are reserved). */
export const NUMERIC_SIZES = new Map<number, number>([
  [1, 1],
  [2, 1],
  [3, 2],
  [4, 2],
  [5, 4],
  [6, 4],
  [7, 4],
  [9, 8],
  [12, 8],
  [13, 8],
]);
/** UTF-8/16/32 text, which mat-for-js decodes one byte at a time and throws on (see markUnicodeTextAsBytes). */
export const UNICODE_TEXT_TYPES = new Set([16, 17, 18]);
/** Character data: int8/uint8/uint16 codes or Unicode text. */
export const CHAR_TYPES = new Set([1, 2, 4, ...UNICODE_TEXT_TYPES]);

/** The file or an inflated element, in the file's byte order. Its bytes are ours to patch. */
export interface Region {
  view: DataView;
  littleEndian: boolean;
  /** Names a position for messages: "byte 1234", or that byte of an inflated element. */
  where(at: number): string;
}

export interface Tag {
  at: number;
  type: number;
  byteCount: number;
  dataStart: number;
  /** Where the next element starts (after padding). */
  next: number;
  /** The small format: type and size in one 32-bit word, data in the next four bytes. */
  small: boolean;
}

/** A structural problem: sizes or types that do not fit. */
export class ElementError extends Error {}

export function fail(problem: string): never {
  throw new ElementError(problem);
}

/** The tag at `at`, checked to lie (data included) before `end`. */
export function readTag(region: Region, at: number, end: number): Tag {
  if (at + 8 > end) {
    fail(`element tag at ${region.where(at)} runs past the end of its container`);
  }
  const { view, littleEndian } = region;
  const word = view.getUint32(at, littleEndian);
  if (word >>> 16 !== 0) {
    // mat-for-js reads a small tag as type then size, two 16-bit values in the file's byte order.
    const byteCount = view.getUint16(at + 2, littleEndian);
    if (byteCount > 4) {
      fail(`small data element at ${region.where(at)} claims ${byteCount} bytes (at most 4 fit)`);
    }
    return { at, type: view.getUint16(at, littleEndian), byteCount, dataStart: at + 4, next: at + 8, small: true };
  }
  const byteCount = view.getUint32(at + 4, littleEndian);
  if (byteCount > end - at - 8) {
    fail(`element at ${region.where(at)} claims ${byteCount} bytes but only ${end - at - 8} follow`);
  }
  // Compressed elements are not padded; everything else is padded to 8 bytes.
  const padded = word === MI_COMPRESSED ? byteCount : Math.ceil(byteCount / 8) * 8;
  return { at, type: word, byteCount, dataStart: at + 8, next: at + 8 + padded, small: false };
}

/** Rewrites a tag's data type in place (sizes unchanged). */
export function setTagType(region: Region, tag: Tag, type: number): void {
  if (tag.small) {
    region.view.setUint16(tag.at, type, region.littleEndian);
  } else {
    region.view.setUint32(tag.at, type, region.littleEndian);
  }
}

export function readInt32s(region: Region, tag: Tag, what: string): number[] {
  if (tag.type !== MI_INT32 || tag.byteCount % 4 !== 0) {
    fail(`${what} is not an int32 array`);
  }
  const values: number[] = [];
  for (let i = 0; i < tag.byteCount / 4; i++) {
    values.push(region.view.getInt32(tag.dataStart + i * 4, region.littleEndian));
  }
  return values;
}

/** Text as mat-for-js builds names: one UTF-16 unit per byte, int8 bytes taken signed, up to a NUL if `stopAtNul`. */
export function readByteText(
  region: Region,
  tag: Tag,
  start = tag.dataStart,
  length = tag.byteCount,
  stopAtNul = false
): string {
  if (tag.type !== MI_INT8 && tag.type !== MI_UINT8) {
    fail(`text at ${region.where(tag.dataStart)} is not int8/uint8 (data type ${tag.type})`);
  }
  let text = '';
  for (let at = start; at < start + length; at++) {
    if (stopAtNul && region.view.getUint8(at) === 0) {
      break;
    }
    text += String.fromCharCode(tag.type === MI_INT8 ? region.view.getInt8(at) : region.view.getUint8(at));
  }
  return text;
}
