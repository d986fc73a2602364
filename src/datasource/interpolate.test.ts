import { HarnessTemplateSrv } from '../../tests/harness/host/services';
import { interpolateList, interpolateQuery } from './interpolate';

describe('interpolation', () => {
  const templateSrv = new HarnessTemplateSrv([
    { name: 'run', current: 'id-a' },
    { name: 'runs', current: ['id-a', 'id-b'] },
    // "All" selected: Grafana's templateSrv hands over every value of the variable.
    { name: 'all', current: ['id-a', 'id-b', 'id-c'] },
    { name: 'signal', current: ['mass.s', 'mass.v'] },
  ]);

  it('expands a single value', () => {
    expect(interpolateList(['$run'], templateSrv)).toEqual(['id-a']);
  });

  it('expands multi-value and All into one entry per value, without repeats', () => {
    expect(interpolateList(['$runs', 'id-b'], templateSrv)).toEqual(['id-a', 'id-b']);
    expect(interpolateList(['${all}'], templateSrv)).toEqual(['id-a', 'id-b', 'id-c']);
    expect(interpolateList(['[[signal]]', 'spring.f'], templateSrv)).toEqual(['mass.s', 'mass.v', 'spring.f']);
  });

  it('prefers scoped variables (repeated panels) over the dashboard’s', () => {
    expect(interpolateList(['$runs'], templateSrv, { runs: { text: 'b', value: 'id-b' } })).toEqual(['id-b']);
  });

  it('keeps unknown variables and plain names as written', () => {
    expect(interpolateList(['$nothing', ' pipe[1].T '], templateSrv)).toEqual(['$nothing', 'pipe[1].T']);
  });

  it('fills legend and parameter filter as text, leaving legend placeholders alone', () => {
    const query = interpolateQuery({ refId: 'A', simulations: ['$runs'], variables: ['$signal'], legend: '{{variable}} at $run', parameterSearch: '$signal' }, templateSrv);
    expect(query).toMatchObject({
      simulations: ['id-a', 'id-b'],
      variables: ['mass.s', 'mass.v'],
      legend: '{{variable}} at id-a',
      parameterSearch: 'mass.s + mass.v',
    });
  });

  it('fills the newest-run filter, and leaves a query without one without one', () => {
    const folders = new HarnessTemplateSrv([{ name: 'folder', current: 'nightly/thermal' }]);
    const query = interpolateQuery({ refId: 'A', simulations: [], variables: ['x'], newest: { folder: '$folder', tag: 'release' } }, folders);
    expect(query.newest).toEqual({ folder: 'nightly/thermal', tag: 'release' });
    expect('newest' in interpolateQuery({ refId: 'A', simulations: ['a'], variables: ['x'] }, folders)).toBe(false);
  });

  it('fills the regression reference and batch filter, and adds neither to a query without them', () => {
    const vars = new HarnessTemplateSrv([
      { name: 'reference', current: 'id-ref' },
      { name: 'folder', current: 'nightly' },
    ]);
    const query = interpolateQuery(
      { refId: 'A', queryType: 'regression', simulations: [], variables: [], referenceId: '$reference', regressionRuns: { folder: '$folder', withinHours: 24 } },
      vars
    );
    expect(query.referenceId).toBe('id-ref');
    expect(query.regressionRuns).toEqual({ folder: 'nightly', withinHours: 24, search: undefined, tag: undefined });
    const plain = interpolateQuery({ refId: 'A', simulations: ['a'], variables: ['x'] }, vars);
    expect('referenceId' in plain || 'regressionRuns' in plain).toBe(false);
  });
});
