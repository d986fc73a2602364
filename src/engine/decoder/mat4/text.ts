import { isAscii } from 'node:buffer';

import { isAsciiSpace, parseDescription, parseDescriptionBytes, type BracketParts } from '../description';
import { elementGetter } from './elements';
import { ElementType, type Mat4Record } from './records';

const utf8 = new TextDecoder('utf-8', { fatal: false });

// Imported bindings are getters once compiled to CommonJS (as under tsx): this one runs per byte.
const isSpace = isAsciiSpace;

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
 * string contiguous (binTrans), all ASCII. The matrix becomes one latin1 string, each string a
 * slice of it whose bounds are found on the bytes, so that it costs one allocation (the catalogue
 * is GC-bound). `visit` gets each string's trimmed bounds; false (nothing visited) when the text
 * is not ASCII.
 */
function forEachAsciiString(
  bytes: Uint8Array,
  count: number,
  length: number,
  visit: (text: string, start: number, end: number, s: number) => void
): boolean {
  if (!isAscii(bytes)) {
    return false;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // Dymola pads with spaces: without a NUL anywhere, no string needs searching for one.
  const hasNul = bytes.indexOf(0) !== -1;
  for (let s = 0; s < count; s++) {
    let start = s * length;
    let end = start + length;
    for (let i = start; hasNul && i < end; i++) {
      if (bytes[i] === 0) {
        end = i;
        break;
      }
    }
    while (end > start && isSpace(bytes[end - 1])) {
      end--;
    }
    while (start < end && isSpace(bytes[start])) {
      start++;
    }
    visit(text, start, end, s);
  }
  return true;
}

function decodeContiguousStrings(bytes: Uint8Array, count: number, length: number): string[] {
  const strings: string[] = new Array(count);
  const ascii = forEachAsciiString(bytes, count, length, (text, start, end, s) => {
    strings[s] = text.slice(start, end);
  });
  if (!ascii) {
    for (let s = 0; s < count; s++) {
      strings[s] = cleanString(bytes.subarray(s * length, (s + 1) * length));
    }
  }
  return strings;
}

/** Descriptions split as parseDescription splits them: the text of each, and its bracket's parts (null: none). */
export interface DescriptionColumns {
  texts: string[];
  brackets: Array<BracketParts | null>;
}

/** A text matrix of descriptions (see decodeTextMatrix), parsed without a string per description where it is ASCII. */
export function decodeDescriptionMatrix(
  bytes: Uint8Array,
  record: Mat4Record,
  cols: number,
  stringsAlongColumns: boolean
): DescriptionColumns {
  const count = stringsAlongColumns ? cols : record.rows;
  const columns: DescriptionColumns = { texts: new Array(count), brackets: new Array(count) };
  const { texts, brackets } = columns;
  const parsedFromBytes =
    stringsAlongColumns &&
    record.elementType === ElementType.UInt8 &&
    forEachAsciiString(bytes, count, record.rows, (text, start, end, s) => {
      texts[s] = parseDescriptionBytes(bytes, text, start, end, brackets, s);
    });
  if (!parsedFromBytes) {
    decodeTextMatrix(bytes, record, cols, stringsAlongColumns).forEach((description, s) => {
      const { text, ...bracket } = parseDescription(description);
      texts[s] = text;
      brackets[s] = bracket;
    });
  }
  return columns;
}

/**
 * Splits a text matrix into its strings. `stringsAlongColumns` means each string is one column
 * (the binTrans layout: stringLength x count); otherwise each string is one row (binNormal).
 * Text may be stored as uint8 or as one float64 per byte; both hold UTF-8 bytes.
 */
export function decodeTextMatrix(
  bytes: Uint8Array,
  record: Mat4Record,
  cols: number,
  stringsAlongColumns: boolean
): string[] {
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
