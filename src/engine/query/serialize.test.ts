import fc from 'fast-check';

import { SERIES_PREAMBLE_BYTES, SeriesWireError, decodeSeriesAnswer } from '../../shared/seriesWire';
import type { SeriesData } from './run';
import { numbersJson, queryResponseBinary, queryResponseJson } from './serialize';

function dataEntry(variable: string, time: number[], values: number[]): SeriesData {
  return {
    simulation: 's',
    variable,
    simulationName: 'run "1" ∆',
    resolvedName: variable,
    unit: 'K',
    displayUnit: null,
    description: 'a\nb',
    kind: 'trajectory',
    valueType: null,
    pointsInRange: time.length,
    downsampled: false,
    time: Float64Array.from(time),
    values: Float64Array.from(values),
  };
}

describe('query response JSON', () => {
  it('writes any doubles exactly as JSON.stringify writes them, with null for NaN and infinities', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), (numbers) => {
        const expected = JSON.stringify(numbers.map((n) => (Number.isFinite(n) ? n : null)));
        expect(numbersJson(Float64Array.from(numbers))).toBe(expected);
      }),
      { numRuns: 500 }
    );
    expect(numbersJson(Float64Array.of(-0, 1e21, 5e-324, NaN))).toBe('[0,1e+21,5e-324,null]');
  });

  it('is a valid document holding every entry, series and errors alike', () => {
    const text = queryResponseJson([
      {
        simulation: 's',
        variable: 'x',
        simulationName: 'run "1"',
        resolvedName: 'x',
        unit: 'K',
        displayUnit: null,
        description: 'a\nb',
        kind: 'trajectory',
        pointsInRange: 2,
        downsampled: false,
        time: Float64Array.of(0, 1),
        values: Float64Array.of(2, Infinity),
      },
      { simulation: 's', variable: 'y', error: { code: 'unknown_variable', message: 'no "y"' } },
    ]);
    expect(JSON.parse(text)).toEqual({
      series: [
        expect.objectContaining({ simulationName: 'run "1"', description: 'a\nb', time: [0, 1], values: [2, null] }),
        { simulation: 's', variable: 'y', error: { code: 'unknown_variable', message: 'no "y"' } },
      ],
    });
  });
});

describe('query response, binary form', () => {
  const errorEntry = { simulation: 's', variable: 'y', error: { code: 'unknown_variable', message: 'no "y"' } };

  it('decodes to exactly the JSON answer, for any numbers, names and mix of series and errors', () => {
    const point = fc.tuple(fc.double(), fc.double());
    const entry = fc.oneof(
      fc.tuple(fc.string(), fc.array(point, { maxLength: 40 })).map(([name, points]) =>
        dataEntry(name, points.map(([t]) => t), points.map(([, v]) => v))
      ),
      fc.constant(errorEntry)
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), (entries) => {
        // The JSON answer writes non-finite times as null too; times from files are finite.
        const finiteTimes = entries.map((e) => ('time' in e ? { ...e, time: e.time.map((t) => (Number.isFinite(t) ? t : 0)) } : e));
        const decoded = decodeSeriesAnswer(queryResponseBinary(finiteTimes));
        // JSON cannot write -0 (the binary form keeps it, see below): compare as JSON sees numbers.
        expect(JSON.parse(JSON.stringify(decoded))).toEqual(JSON.parse(queryResponseJson(finiteTimes)));
      }),
      { numRuns: 300 }
    );
  });

  it('keeps -0 and the exact bits of every double, and starts the numbers 8-byte aligned', () => {
    const bytes = queryResponseBinary([dataEntry('x', [0, 5e-324], [-0, 0.1 + 0.2])]);
    const head = bytes.readUInt32LE(4);
    expect((SERIES_PREAMBLE_BYTES + head + ((8 - ((SERIES_PREAMBLE_BYTES + head) % 8)) % 8)) % 8).toBe(0);
    const decoded = decodeSeriesAnswer(bytes).series[0] as { time: number[]; values: number[] };
    expect(Object.is(decoded.values[0], -0)).toBe(true);
    expect(decoded.values[1]).toBe(0.1 + 0.2);
    expect(decoded.time[1]).toBe(5e-324);
  });

  it('is less than half the size of the JSON answer for typical downsampled series', () => {
    const time = Array.from({ length: 2000 }, (_, i) => i * 0.0123456789);
    const entries = Array.from({ length: 4 }, (_, k) => dataEntry(`x${k}`, time, time.map((t) => Math.sin(t + k) * 300.15)));
    expect(queryResponseBinary(entries).length).toBeLessThan(Buffer.byteLength(queryResponseJson(entries)) / 2);
  });

  it('fails on damaged bytes only with its own error, whatever the damage', () => {
    const good = queryResponseBinary([dataEntry('x', [0, 1, 2], [3, 4, 5]), errorEntry, dataEntry('y', [0], [NaN])]);
    const damage = fc.record({
      cut: fc.integer({ min: 0, max: good.length }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(damage, ({ cut, flips }) => {
        const bytes = Uint8Array.from(good.subarray(0, cut));
        flips.forEach(([at, value]) => bytes.length > 0 && (bytes[at % bytes.length] = value));
        try {
          decodeSeriesAnswer(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(SeriesWireError);
        }
      }),
      { numRuns: 2000 }
    );
  });

  it('rejects bytes that do not hold what their head says', () => {
    const good = queryResponseBinary([dataEntry('x', [0, 1, 2], [3, 4, 5]), errorEntry]);
    const withHeadLength = (length: number) => {
      const copy = Buffer.from(good);
      copy.writeUInt32LE(length, 4);
      return copy;
    };
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['JSON bytes', Buffer.from('{"series":[]}'), /not a binary series answer/],
      ['cut short', good.subarray(0, good.length - 8), /more than the answer holds/],
      ['with bytes after the last series', Buffer.concat([good, Buffer.alloc(8)]), /8 bytes follow the last series/],
      ['a head longer than the answer', withHeadLength(0xffffffff), /the head claims/],
      ['a head cut in the middle', withHeadLength(10), /the head is not JSON/],
    ];
    for (const [, bytes, message] of cases) {
      expect(() => decodeSeriesAnswer(bytes)).toThrow(SeriesWireError);
      expect(() => decodeSeriesAnswer(bytes)).toThrow(message);
    }
  });
});
