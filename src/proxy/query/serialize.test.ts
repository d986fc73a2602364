import fc from 'fast-check';

import { numbersJson, queryResponseJson } from './serialize';

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
