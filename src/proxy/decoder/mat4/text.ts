import { elementGetter } from './elements';
import type { Mat4Record } from './records';

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
 * Splits a text matrix into its strings. `stringsAlongColumns` means each string is one column
 * (the binTrans layout: stringLength x count); otherwise each string is one row (binNormal).
 * Text may be stored as uint8 or as one float64 per byte; both hold UTF-8 bytes.
 */
export function decodeTextMatrix(bytes: Uint8Array, record: Mat4Record, cols: number, stringsAlongColumns: boolean): string[] {
  const get = elementGetter(bytes, record.elementType, record.littleEndian);
  const count = stringsAlongColumns ? cols : record.rows;
  const length = stringsAlongColumns ? record.rows : cols;
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
