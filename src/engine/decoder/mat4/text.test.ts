/**
 * Descriptions parsed from the text matrix's bytes (the catalogue's fast path) split exactly as
 * parseDescription splits the decoded strings: padded with spaces (Dymola) or NULs (OpenModelica),
 * as uint8 or as float64 text, ASCII or not, and with bracket contents whose byte hashes collide.
 */
import { parseDescription } from '../description';
import { decodeDescriptionMatrix, decodeTextMatrix } from './text';
import { ElementType, type Mat4Record } from './records';

const DESCRIPTIONS = [
  'Temperature of element [K|degC]',
  'Time in seconds[s]',
  '  Voltage [V] ',
  'Switch [:#(type=Boolean)]',
  'Mode [:#(type=Modelica.Fluid.Types.Dynamics)]',
  'Thermal resistance [(K/W)|K/kW]',
  'Element x[1] of a vector',
  'Weird [a]b]',
  '',
  '   ',
  'No unit []',
  '[K]',
  'Tab\tbefore\t[W]\t',
  'Voltage again [V]',
  // FNV-1a (32 bits) hashes these two bracket contents alike: each must keep its own unit.
  'Collides [costarring]',
  'Collides too [liquid]',
  'Collides [costarring]',
];

/** A binTrans text matrix: `length` x `count`, each string one contiguous column, padded with `pad`. */
function textMatrix(strings: string[], pad: number, elementType = ElementType.UInt8): [Uint8Array, Mat4Record] {
  const encoded = strings.map((s) => Buffer.from(s, 'utf8'));
  const length = Math.max(1, ...encoded.map((b) => b.length)) + 2;
  const chars = new Uint8Array(length * strings.length).fill(pad);
  encoded.forEach((b, s) => chars.set(b, s * length));
  const bytes = elementType === ElementType.UInt8 ? chars : new Uint8Array(Float64Array.from(chars).buffer);
  const record = { rows: length, declaredCols: strings.length, elementType, littleEndian: true } as Mat4Record;
  return [bytes, record];
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'latin1')) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash >>> 0;
}

describe('descriptions from a text matrix', () => {
  it('uses bracket contents whose hashes collide (the premise of the collision cases)', () => {
    expect(fnv1a('costarring')).toBe(fnv1a('liquid'));
  });

  it.each([
    ['uint8, space-padded (Dymola)', 0x20, ElementType.UInt8, DESCRIPTIONS],
    ['uint8, NUL-padded (OpenModelica)', 0, ElementType.UInt8, DESCRIPTIONS],
    ['float64 text', 0x20, ElementType.Float64, DESCRIPTIONS],
    ['non-ASCII', 0x20, ElementType.UInt8, [...DESCRIPTIONS, 'Température [°C]', 'Flux [W/m²|kW/m²]']],
  ] as Array<[string, number, ElementType, string[]]>)(
    'split as parseDescription splits them (%s)',
    (_, pad, type, strings) => {
      const [bytes, record] = textMatrix(strings, pad, type);
      const { texts, brackets } = decodeDescriptionMatrix(bytes, record, record.declaredCols, true);
      const parsed = strings.map((_, s) => ({
        text: texts[s],
        unit: brackets[s]?.unit ?? null,
        displayUnit: brackets[s]?.displayUnit ?? null,
        valueType: brackets[s]?.valueType ?? null,
      }));
      const decoded = decodeTextMatrix(bytes, record, record.declaredCols, true);
      expect(decoded.map((d) => d.trim())).toEqual(strings.map((s) => s.trim()));
      expect(parsed).toEqual(strings.map((s) => parseDescription(s)));
    }
  );
});
