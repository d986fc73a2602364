import type { VariableInfo } from '../decoder';
import { globMatcher, PatternError, regexMatcher, searchVariables } from './match';

const variable = (name: string, description = '', kind: VariableInfo['kind'] = 'trajectory'): VariableInfo => ({
  name,
  description,
  kind,
  unit: null,
  displayUnit: null,
  valueType: null,
});

describe('globs', () => {
  it('match whole names with * and ?, keeping array brackets literal', () => {
    const glob = globMatcher('pipe.T[?, 1]*');
    expect(glob('pipe.T[2, 1]')).toBe(true);
    expect(glob('pipe.T[2, 1].x')).toBe(true);
    expect(glob('pipe.T[12, 1]')).toBe(false);
    expect(globMatcher('*.der(T)')('wall.der(T)')).toBe(true);
    expect(globMatcher('a.b')('axb')).toBe(false);
    expect(globMatcher('T')('wall.T')).toBe(false);
  });
});

describe('regular expressions', () => {
  it('are anchored to the whole name', () => {
    expect(regexMatcher('wall\\.T')('wall.T')).toBe(true);
    expect(regexMatcher('wall\\.T')('wall.T2')).toBe(false);
    expect(regexMatcher('a|b')('b')).toBe(true);
  });

  it('run in linear time on patterns that make backtracking engines explode', () => {
    const evil = regexMatcher('(a+)+b');
    const started = performance.now();
    expect(evil('a'.repeat(5000) + 'c')).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it.each([
    ['(a)\\1', /backreferences or lookaround/],
    ['(?=a)a', /backreferences or lookaround/],
    ['a(', /is invalid/],
    ['x'.repeat(201), /longer than 200 characters/],
  ])('refuse %s with a reason', (pattern, reason) => {
    expect(() => regexMatcher(pattern)).toThrow(PatternError);
    expect(() => regexMatcher(pattern)).toThrow(reason);
  });
});

describe('variable search', () => {
  const variables = [
    variable('wall.T', 'Wall temperature'),
    variable('T', 'Room temperature'),
    variable('Tset', 'Setpoint'),
    variable('k', 'gain', 'parameter'),
  ];

  it('ranks exact, prefix, substring, then description matches, and combines criteria', () => {
    expect(searchVariables(variables, { search: 't' }).map((v) => v.name)).toEqual(['T', 'Tset', 'wall.T']);
    expect(searchVariables(variables, { search: 'temperature' }).map((v) => v.name)).toEqual(['wall.T', 'T']);
    expect(searchVariables(variables, { glob: '*T*', search: 'room' }).map((v) => v.name)).toEqual(['T']);
    expect(searchVariables(variables, { regex: '[a-z]+', kind: 'parameter' }).map((v) => v.name)).toEqual(['k']);
  });
});
