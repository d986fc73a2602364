import { ByteBudgetLru } from './byte-lru';

describe('ByteBudgetLru', () => {
  it('drops the least recently used entries past its budget, and counts bytes', () => {
    const lru = new ByteBudgetLru<string, string>(10);
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A');
    lru.set('c', 'C', 4);
    expect([lru.has('a'), lru.has('b'), lru.has('c')]).toEqual([true, false, true]);
    expect(lru.bytes).toBe(8);
    lru.set('a', 'A2', 2);
    expect(lru.bytes).toBe(6);
    lru.delete('c');
    expect(lru.bytes).toBe(2);
  });

  it('keeps nothing larger than its budget', () => {
    const lru = new ByteBudgetLru<string, string>(10);
    lru.set('big', 'X', 11);
    expect(lru.has('big')).toBe(false);
    expect(lru.bytes).toBe(0);
  });
});
