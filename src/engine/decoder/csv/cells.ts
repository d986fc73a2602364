// Plain decimal notation only: Number() alone would also take "0x1f", "0b1" and "" (as 0).
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// "1,5" with ";" as separator: the European spreadsheet export.
const DECIMAL_COMMA = /^[+-]?\d+,\d*(?:[eE][+-]?\d+)?$/;

/** Spellings of special values written by C printf, Python, Julia, OpenModelica and FMPy. */
const SPECIAL_NUMBERS = new Map<string, number>([
  ['nan', NaN],
  ['-nan', NaN],
  ['+nan', NaN],
  ['inf', Infinity],
  ['+inf', Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-inf', -Infinity],
  ['-infinity', -Infinity],
]);

const BOOLEANS = new Map<string, number>([
  ['true', 1],
  ['false', 0],
]);

/**
 * A trimmed, non-empty cell as a number, or undefined when it is not one. `decimalComma` also
 * accepts "1,5" (only sensible when the separator is not a comma).
 */
export function readNumber(cell: string, decimalComma = false): number | undefined {
  if (DECIMAL.test(cell)) {
    return Number(cell);
  }
  if (decimalComma && DECIMAL_COMMA.test(cell)) {
    return Number(cell.replace(',', '.'));
  }
  return SPECIAL_NUMBERS.get(cell.toLowerCase());
}

/** `true`/`false` in any case (Python writes `True`) as 1/0, or undefined. */
export function readBoolean(cell: string): number | undefined {
  return BOOLEANS.get(cell.toLowerCase());
}
