import { convertValues, displayConverter, toMathjsUnit } from './displayUnits';

describe('toMathjsUnit', () => {
  it.each([
    ['kg.m2', 'kg*m^2'],
    ['W/(m2.K)', 'W/(m^2*K)'],
    ['s-1', 's^-1'],
    ['m/s2', 'm/s^2'],
    ['rev/min', 'cycle/min'],
    ['degC', 'degC'],
  ])('%s -> %s', (modelica, mathjs) => expect(toMathjsUnit(modelica)).toBe(mathjs));
});

describe('displayConverter', () => {
  const convert = (unit: string, displayUnit: string, value: number) => displayConverter(unit, displayUnit)!.convert(value);

  it('converts the units Modelica libraries declare as display units', () => {
    expect(convert('K', 'degC', 300)).toBeCloseTo(26.85, 10);
    expect(convert('K', 'degF', 273.15)).toBeCloseTo(32, 10);
    expect(convert('Pa', 'bar', 101325)).toBeCloseTo(1.01325, 12);
    expect(convert('rad', 'deg', Math.PI)).toBeCloseTo(180, 10);
    expect(convert('rad/s', 'rev/min', 2 * Math.PI)).toBeCloseTo(60, 10);
    expect(convert('rad/s', 'rpm', 2 * Math.PI)).toBeCloseTo(60, 10);
    expect(convert('W', 'kW', 1500)).toBeCloseTo(1.5, 12);
    expect(convert('m3/s', 'l/min', 0.001)).toBeCloseTo(60, 10);
    expect(convert('J', 'kWh', 3.6e6)).toBeCloseTo(1, 12);
    expect(convert('kg.m2', 'g.cm2', 1)).toBeCloseTo(1e7, 3);
  });

  it('says so when units cannot be converted', () => {
    expect(displayConverter('K', 'bar')).toBeNull();
    expect(displayConverter('furlongs', 'm')).toBeNull();
    expect(displayConverter('K', 'K')).toBeNull();
    expect(displayConverter(null, 'degC')).toBeNull();
    expect(displayConverter('K', null)).toBeNull();
  });

  it('keeps nulls (NaN and infinities in transit) as they are', () => {
    expect(convertValues([273.15, null, 373.15], displayConverter('K', 'degC')!)).toEqual([0, null, expect.closeTo(100, 10)]);
  });
});
