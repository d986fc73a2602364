import { EventEmitter } from 'node:events';

import { othersAreWaiting, trackRequest } from './activity';

describe('request activity', () => {
  it('is contended only while two or more requests are open, and a closed (finished or aborted) request stops counting', () => {
    const first = new EventEmitter();
    const second = new EventEmitter();
    expect(othersAreWaiting()).toBe(false);
    trackRequest(first);
    expect(othersAreWaiting()).toBe(false);
    trackRequest(second);
    expect(othersAreWaiting()).toBe(true);
    second.emit('close');
    expect(othersAreWaiting()).toBe(false);
    first.emit('close');
    trackRequest(second);
    expect(othersAreWaiting()).toBe(false);
    second.emit('close');
  });
});
