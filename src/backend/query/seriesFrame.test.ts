import type { Series } from '../../shared/api';
import type { SeriesColumns } from '../../shared/seriesColumns';
import type { SimVizQuery, TimeAxis } from '../../datasource/types';
import { frameToArrow } from '../frames/arrow';
import { frameToJson } from '../frames/json';
import { seriesFrame } from './seriesFrame';

/** The same series as the JSON answer has it (arrays, null for non-finite values) and as the columns form has it. */
function bothForms(time: number[], values: number[], head: Partial<Series> = {}): [Series, SeriesColumns] {
  const common = {
    simulation: 'id-1',
    variable: 'plant.T',
    simulationName: 'run 1',
    resolvedName: 'plant.T',
    unit: 'K',
    displayUnit: 'degC',
    description: 'temperature',
    kind: 'trajectory' as const,
    valueType: null,
    pointsInRange: 12,
    downsampled: true,
    ...head,
  };
  const arrays: Series = { ...common, time, values: values.map((v) => (Number.isFinite(v) ? v : null)) };
  return [arrays, { ...common, time: Float64Array.from(time), values: Float64Array.from(values) }];
}

const query = (options: Partial<SimVizQuery>): SimVizQuery => ({ refId: 'A', simulations: ['id-1'], variables: ['plant.T'], ...options });

describe('seriesFrame from Float64Arrays', () => {
  const time = [0, 0.1, 0.25, 1, 1, 2.5, 1e6 + 0.123456789, 3600, 7200.5, 1e-7];
  const values = [300, NaN, 1e308, -Infinity, -0, 273.15, Infinity, 5e-324, 1, 2];

  it.each<[TimeAxis, boolean, number]>([
    ['simulation', false, 0],
    ['simulation', true, 0],
    ['runStart', false, 1796625448965],
    ['runStart', true, 1796625448965.5],
    ['numeric', false, 0],
    ['numeric', true, 0],
  ])('writes the same Arrow bytes as from arrays (%s axis, display units %s)', (axis, displayUnits, originMs) => {
    const [arrays, columns] = bothForms(time, values);
    const options = { query: query({ displayUnits, timeAxis: axis }), axis, originMs, simulation: undefined };
    const fromArrays = frameToArrow(seriesFrame(arrays, options));
    const fromColumns = frameToArrow(seriesFrame(columns, options));
    expect(Buffer.from(fromColumns).equals(Buffer.from(fromArrays))).toBe(true);
    expect(frameToJson(seriesFrame(columns, options))).toBe(frameToJson(seriesFrame(arrays, options)));
  });

  it('writes the same Arrow bytes without missing values, and for an empty series', () => {
    for (const [t, v] of [[time, time.map((x) => x * 2)], [[], []]]) {
      const [arrays, columns] = bothForms(t, v, { unit: 'Pa', displayUnit: 'bar' });
      const options = { query: query({ displayUnits: true }), axis: 'simulation' as const, originMs: 0, simulation: undefined };
      expect(Buffer.from(frameToArrow(seriesFrame(columns, options))).equals(Buffer.from(frameToArrow(seriesFrame(arrays, options))))).toBe(true);
    }
  });
});
