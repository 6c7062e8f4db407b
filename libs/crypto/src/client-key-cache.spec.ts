import { ClientKeyCache } from './client-key-cache';

describe('ClientKeyCache', () => {
  it('gives an entry while it is fresh and drops it once expired', () => {
    const cache = new ClientKeyCache<{ until: number; key: string }>(10);
    cache.set('a', { until: 100, key: 'k' });
    expect(cache.fresh('a', 99)).toEqual({ until: 100, key: 'k' });
    expect(cache.fresh('a', 100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the least recently stored first', () => {
    const cache = new ClientKeyCache<{ until: number }>(3);
    for (const id of ['a', 'b', 'c']) cache.set(id, { until: 1_000 });
    cache.set('a', { until: 2_000 }); // stored again: now the most recent
    cache.set('d', { until: 1_000 });
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((id) => cache.fresh(id, 0) !== undefined)).toEqual([true, false, true, true]);
  });

  it('refuses a size that holds nothing', () => {
    expect(() => new ClientKeyCache(0)).toThrow(RangeError);
  });
});
