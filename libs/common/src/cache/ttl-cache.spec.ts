import { afterEach, describe, expect, it, vi } from 'vitest';
import { TtlCache } from './ttl-cache';

afterEach(() => {
  vi.useRealTimers();
});

describe('TtlCache', () => {
  it('returns a value until its time to live has passed, then forgets it', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const cache = new TtlCache<string, string>(10);
    cache.set('a', 'one', 5000);
    vi.setSystemTime(1_004_999);
    expect(cache.get('a')).toBe('one');
    vi.setSystemTime(1_005_000);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the oldest write when full and never holds more than its bound', () => {
    const cache = new TtlCache<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) cache.set(key, i, 60_000);
    cache.set('a', 10, 60_000); // rewritten: now the newest
    cache.set('d', 3, 60_000);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(10);
    expect(cache.get('c')).toBe(2);
    expect(cache.get('d')).toBe(3);
  });

  it('keeps nothing with a zero bound or a zero time to live', () => {
    const disabled = new TtlCache<string, string>(0);
    disabled.set('a', 'one', 5000);
    expect(disabled.get('a')).toBeUndefined();
    const cache = new TtlCache<string, string>(10);
    cache.set('a', 'one', 0);
    expect(cache.get('a')).toBeUndefined();
  });
});
