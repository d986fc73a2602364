import { realFixture } from '../../../tests/support/fixtures';
import { eventTimes } from './events';
import { openResultFile } from './index';

describe('eventTimes', () => {
  it('lists each run of equal time stamps once', () => {
    expect(eventTimes([0, 1, 1, 2, 3, 3, 3, 4, 4])).toEqual([1, 3, 4]);
    expect(eventTimes([])).toEqual([]);
    expect(eventTimes([0, 0.5, 1])).toEqual([]);
  });

  it('finds the six events inside the Chua circuit run and its final duplicate', async () => {
    const file = await openResultFile(realFixture('dymola_chuacircuit.mat'));
    const events = eventTimes(await file.readTime());
    expect(events).toHaveLength(7);
    expect(events[events.length - 1]).toBe(2500);
    expect(events[0]).toBeGreaterThan(0);
  });
});
