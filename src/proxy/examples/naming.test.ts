import { formatResultFileName, numberTag, parseResultFileName } from './naming';

describe('result file names', () => {
  it('formats and parses model_experiment_condition_YYYYMMDD_HHMMSS.mat', () => {
    const name = { model: 'TwoZoneBuilding', experiment: 'winter', condition: 'thermostat', stamp: '20261102_080000' };
    expect(formatResultFileName(name)).toBe('TwoZoneBuilding_winter_thermostat_20261102_080000.mat');
    expect(parseResultFileName('TwoZoneBuilding_winter_thermostat_20261102_080000.mat')).toEqual(name);
  });

  it('keeps underscores in the condition', () => {
    expect(parseResultFileName('RLCCircuit_step_R_4_20261101_091500.mat')?.condition).toBe('R_4');
  });

  it('rejects names outside the convention', () => {
    expect(parseResultFileName('dsres.mat')).toBeUndefined();
    expect(() =>
      formatResultFileName({ model: 'Two_Zone', experiment: 'x', condition: 'y', stamp: '20261102_080000' })
    ).toThrow();
  });

  it('writes numbers without dots', () => {
    expect([0.5, 1, 4, 0.25, -2].map(numberTag)).toEqual(['0p5', '1', '4', '0p25', 'm2']);
  });
});
