import { QueryColumnsSchema } from '../../shared/seriesColumns';
import { compiledCheck } from './compiledCheck';

describe('compiledCheck', () => {
  const head = {
    simulation: 'a',
    variable: 'b',
    simulationName: 'run',
    resolvedName: 'b',
    unit: null,
    displayUnit: null,
    description: '',
    kind: 'trajectory',
    pointsInRange: 1,
    downsampled: false,
  };

  it('checks series samples in Float64Arrays (the columns form) as the walking check does', () => {
    expect(compiledCheck(QueryColumnsSchema, { series: [{ ...head, time: Float64Array.of(0), values: Float64Array.of(NaN) }] })).toBe(true);
    expect(compiledCheck(QueryColumnsSchema, { series: [{ ...head, time: [0], values: [null] }] })).toBe(false);
    expect(compiledCheck(QueryColumnsSchema, { series: [{ ...head, kind: 'other', time: Float64Array.of(0), values: Float64Array.of(1) }] })).toBe(false);
    expect(compiledCheck(QueryColumnsSchema, { series: [{ simulation: 'a', variable: 'c', error: { code: 'x', message: 'y' } }] })).toBe(true);
  });
});
