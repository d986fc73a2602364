import type { Simulation } from '../../shared/api';
import { simulationOption } from './SimulationsField';

const base: Simulation = {
  id: 'abc',
  name: 'Pipe_warmup_cold_20261101_090000',
  path: 'sweeps/Pipe_warmup_cold_20261101_090000.mat',
  root: 'results',
  format: 'mat4',
  status: 'ok',
  variableCount: 120,
  timePointCount: 500,
  startTime: 0,
  stopTime: 10,
  sizeBytes: 1000,
  modifiedAt: '2026-11-01T09:10:00.000Z',
  folder: 'sweeps',
  model: 'Pipe',
  runAt: '2026-11-01T09:00:00.000Z',
};

describe('simulationOption', () => {
  it('shows folder, model, run date and variable count', () => {
    expect(simulationOption(base)).toEqual({
      value: 'abc',
      label: 'Pipe_warmup_cold_20261101_090000',
      description: 'sweeps · Pipe · 2026-11-01 09:00 · 120 variables',
    });
  });

  it('marks runs still being written', () => {
    expect(simulationOption({ ...base, status: 'writing' }).description).toMatch(/still being written$/);
  });

  it('lists unreadable runs with the reason, as information that cannot be picked', () => {
    const option = simulationOption({ ...base, status: 'error', error: 'linearization result, not a trajectory', folder: undefined });
    expect(option).toMatchObject({ infoOption: true, description: 'results · cannot be read: linearization result, not a trajectory' });
  });
});
