import { rm } from 'node:fs/promises';

import type { QueryRequest, SimulationPage, Stats } from '../../shared/api';
import { requestJson, startTestProxy } from '../../../tests/support/proxy';
import { smallRoot } from '../../../tests/support/roots';
import { ResponseCache, responseKey, type FileVersion } from './response-cache';

const version: FileVersion = { id: 'run', sizeBytes: 1000, modifiedMs: 1 };
const request: QueryRequest = { simulations: ['run'], variables: ['x'], from: 0, to: 1, maxDataPoints: 500 };

describe('ResponseCache', () => {
  it('keeps answers up to its byte bound, pushing out the least recently used first', () => {
    const held: number[] = [];
    const cache = new ResponseCache(300, { held: (bytes) => held.push(bytes) });
    cache.set('a', Buffer.alloc(30));
    cache.set('b', Buffer.alloc(30));
    expect(cache.get('a')?.length).toBe(30);
    // 'b' is now the least recently used: it goes first.
    for (const key of ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) {
      cache.set(key, Buffer.alloc(30));
    }
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.length).toBe(30);
    expect(cache.sizeBytes).toBeLessThanOrEqual(300);
    expect(held.at(-1)).toBe(cache.sizeBytes);
  });

  it('does not keep an answer larger than an eighth of its bound', () => {
    const cache = new ResponseCache(800);
    cache.set('big', Buffer.alloc(101));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('reports hits and misses', () => {
    const lookups: boolean[] = [];
    const cache = new ResponseCache(1000, { lookup: (hit) => lookups.push(hit) });
    cache.get('a');
    cache.set('a', Buffer.from('{}'));
    cache.get('a');
    expect(lookups).toEqual([false, true]);
  });
});

describe('responseKey', () => {
  it('is the same for the same question, whatever the order of the fields', () => {
    const reordered = { maxDataPoints: 500, to: 1, from: 0, variables: ['x'], simulations: ['run'] };
    expect(responseKey(reordered, [version])).toBe(responseKey(request, [version]));
  });

  it('differs when the file changed, or the question did', () => {
    const key = responseKey(request, [version]);
    expect(responseKey(request, [{ ...version, modifiedMs: 2 }])).not.toBe(key);
    expect(responseKey(request, [{ ...version, sizeBytes: 1001 }])).not.toBe(key);
    expect(responseKey({ ...request, maxDataPoints: 501 }, [version])).not.toBe(key);
    expect(responseKey({ ...request, to: undefined }, [version])).not.toBe(key);
    expect(responseKey({ ...request, variables: ['x', 'y'] }, [version])).not.toBe(key);
  });
});

describe('responseCacheBytes', () => {
  it.each([
    [64 * 1024 ** 2, { hits: 1, misses: 1 }],
    [0, { hits: 0, misses: 0 }],
  ])('%s bytes: the same query twice gives %o', async (responseCacheBytes, expected) => {
    const root = await smallRoot();
    const proxy = await startTestProxy([root], [], { config: { responseCacheBytes } });
    try {
      const [run] = (await requestJson<SimulationPage>(proxy, '/api/v1/simulations')).body.items;
      const body = { simulations: [run.id], variables: ['height'] };
      const first = await requestJson(proxy, '/api/v1/query', { body });
      const second = await requestJson(proxy, '/api/v1/query', { body });
      expect(second.body).toEqual(first.body);
      const { caches } = (await requestJson<Stats>(proxy, '/api/v1/stats')).body;
      const responses = caches.find((cache) => cache.name === 'responses');
      expect({ hits: responses?.hits, misses: responses?.misses }).toEqual(expected);
    } finally {
      await proxy.close();
      await rm(root.path, { recursive: true, force: true });
    }
  });
});
