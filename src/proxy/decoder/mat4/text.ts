import { isAscii } from 'node:buffer';

import { elementGetter } from './elements';
import { ElementType, type Mat4Record } from './records';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Cuts a stored string at its first NUL and trims the padding. Dymola pads with spaces (and
 * "Save as" writes a C string followed by spaces); OpenModelica pads with NULs.
 */
export function cleanString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul === -1 ? bytes : bytes.subarray(0, nul)).trim();
}

/**
 * The common case, and the one that matters for 25,000-variable catalogues: uint8 text with each
 * string contiguous (binTrans). ASCII matrices are decoded in one call and sliced; bounds are
 * found on the bytes so that each string costs one allocation (the catalogue is GC-bound).
 */
function decodeContiguousStrings(bytes: Uint8Array, count: number, length: number): string[] {
  const strings: string[] = new Array(count);
  if (!isAscii(bytes)) {
    for (let s = 0; s < count; s++) {
      strings[s] = cleanString(bytes.subarray(s * length, (s + 1) * length));
    }
    return strings;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  for (let s = 0; s < count; s++) {
    let start = s * length;
    let end = start + length;
    for (let i = start; i < end; i++) {
      if (bytes[i] === 0) {
        end = i;
        break;
      }
    }
    // Same whitespace as String.prototype.trim for ASCII: space, \t, \n, \v, \f, \r.
    while (end > start && isAsciiSpace(bytes[end - 1])) {
      end--;
    }
    while (start < end && isAsciiSpace(bytes[start])) {
      start++;
    }
    strings[s] = text.slice(start, end);
  }
  return strings;
}

function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * Splits a text matrix into its strings. `stringsAlongColumns` means each string is one column
 * (the binTrans layout: stringLength x count); otherwise each string is one row (binNormal).
 * Text may be stored as uint8 or as one float64 per byte; both hold UTF-8 bytes.
 */
export function decodeTextMatrix(bytes: Uint8Array, record: Mat4Record, cols: number, stringsAlongColumns: boolean): string[] {
  const count = stringsAlongColumns ? cols : record.rows;
  const length = stringsAlongColumns ? record.rows : cols;
  if (stringsAlongColumns && record.elementType === ElementType.UInt8) {
    return decodeContiguousStrings(bytes, count, length);
  }
  const get = elementGetter(bytes, record.elementType, record.littleEndian);
  const strings: string[] = new Array(count);
  const scratch = new Uint8Array(length);
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < length; c++) {
      const index = stringsAlongColumns ? s * length + c : c * count + s;
      scratch[c] = get(index) & 0xff;
    }
    strings[s] = cleanString(scratch);
  }
  return strings;
}
