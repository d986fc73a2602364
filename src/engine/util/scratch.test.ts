import { Arena, ScratchPool, arenaBytes } from './scratch';

describe('scratch memory', () => {
  it('hands out aligned, disjoint arrays and allocates on its own past the end', () => {
    const arena = new Arena(new ArrayBuffer(arenaBytes([3, 2 * 8, 4 * 4])));
    const bytes = arena.bytes(3);
    const doubles = arena.float64(2);
    const floats = arena.float32(4);
    expect([bytes.byteOffset, doubles.byteOffset, floats.byteOffset]).toEqual([0, 8, 24]);
    expect(new Set([bytes.buffer, doubles.buffer, floats.buffer]).size).toBe(1);
    const extra = arena.float64(1);
    expect(extra.buffer).not.toBe(doubles.buffer);
  });

  it('reuses released buffers, the smallest that fits first, and keeps a bounded number', () => {
    const pool = new ScratchPool(2, 1000);
    const [small, large, larger] = [pool.arena(100), pool.arena(500), pool.arena(800)];
    const buffers = [small, large, larger].map((arena) => arena.bytes(1).buffer);
    [small, large, larger].forEach((arena) => arena.release());
    // The two largest are kept.
    expect(pool.keptBytes).toBe(1300);
    expect(pool.arena(400).bytes(1).buffer).toBe(buffers[1]);
    expect(pool.arena(10).bytes(1).buffer).toBe(buffers[2]);
    expect(pool.arena(10).bytes(1).buffer).not.toBe(buffers[0]);
  });

  it('does not keep buffers above its size limit', () => {
    const pool = new ScratchPool(2, 1000);
    pool.arena(5000).release();
    expect(pool.keptBytes).toBe(0);
  });
});
