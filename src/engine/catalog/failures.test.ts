import { FailureLog } from './failures';

describe('FailureLog', () => {
  it('keeps when a file first failed, forgets it once it recovers, and stamps it again if it fails again', () => {
    const log = new FailureLog();
    log.update(['a'], 1000);
    log.update(['a', 'b'], 2000);
    expect([log.seenAt('a'), log.seenAt('b')]).toEqual([1000, 2000]);
    log.update(['b'], 3000);
    expect(log.seenAt('a')).toBeUndefined();
    log.update(['a', 'b'], 4000);
    expect([log.seenAt('a'), log.seenAt('b')]).toEqual([4000, 2000]);
  });
});
