import { EdgeRowCache } from './edgeRows';

describe('EdgeRowCache', () => {
  it('serves kept bytes by key and reuses the least recently used idle buffer', () => {
    const cache = new EdgeRowCache(2, 64);
    const first = cache.claim(8)!;
    first.bytes.fill(1);
    first.keep('one');
    first.release();
    const second = cache.claim(16)!;
    second.bytes.fill(2);
    second.keep('two');
    second.release();
    const held = cache.get('one')!;
    expect(Array.from(held.bytes)).toEqual(new Array(8).fill(1));
    held.release();
    // 'two' is now the least recently used: its buffer is taken, and its key forgotten.
    const third = cache.claim(4)!;
    third.release();
    expect(cache.get('two')).toBeUndefined();
    expect(cache.get('one')).toBeDefined();
  });

  it('never hands out a buffer that is being read or filled', () => {
    const cache = new EdgeRowCache(1, 64);
    const filling = cache.claim(8)!;
    expect(cache.claim(8)).toBeUndefined();
    filling.keep('k');
    // Kept but still being filled (its claim not released): not served yet.
    expect(cache.get('k')).toBeUndefined();
    filling.release();
    const reader = cache.get('k')!;
    expect(cache.claim(8)).toBeUndefined();
    const secondReader = cache.get('k')!;
    reader.release();
    reader.release();
    expect(cache.claim(8)).toBeUndefined();
    secondReader.release();
    expect(cache.claim(8)).toBeDefined();
  });

  it('refuses sizes above its largest buffer', () => {
    expect(new EdgeRowCache(1, 64).claim(65)).toBeUndefined();
  });
});
