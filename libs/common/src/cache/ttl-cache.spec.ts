import { afterEach, describe, expect, it, vi } from 'vitest';
import { TtlCache } from './ttl-cache';

// Faked Date.now() as the cache's clock: a faked performance.now() starts at 0, which lru-cache reads as "no start time".
const clock = { now: () => Date.now() };

afterEach(() => {
  vi.useRealTimers();
});

describe('TtlCache', () => {
  it('returns a value until its time to live has passed, then forgets it', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const cache = new TtlCache<string, string>(10, clock);
    cache.set('a', 'one', 5000);
    vi.advanceTimersByTime(5000);
    expect(cache.get('a')).toBe('one');
    vi.advanceTimersByTime(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('gives each entry its own time to live', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const cache = new TtlCache<string, string>(10, clock);
    cache.set('short', 'failure', 1000);
    cache.set('long', 'answer', 60_000);
    vi.advanceTimersByTime(1001);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBe('answer');
  });

  it('a rewrite starts a new time to live', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const cache = new TtlCache<string, string>(10, clock);
    cache.set('a', 'one', 5000);
    vi.advanceTimersByTime(4000);
    cache.set('a', 'two', 5000);
    vi.advanceTimersByTime(4000);
    expect(cache.get('a')).toBe('two');
  });

  it('evicts the least recently used entry when full and never holds more than its bound', () => {
    const cache = new TtlCache<string, number>(3, clock);
    for (const [i, key] of ['a', 'b', 'c'].entries()) cache.set(key, i, 60_000);
    cache.set('a', 10, 60_000); // rewritten: now the most recent
    expect(cache.get('b')).toBe(1); // read: now more recent than c
    cache.set('d', 3, 60_000);
    expect(cache.size).toBe(3);
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('a')).toBe(10);
    expect(cache.get('b')).toBe(1);
    expect(cache.get('d')).toBe(3);
  });

  it('keeps nothing with a zero bound or a zero or negative time to live', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const disabled = new TtlCache<string, string>(0, clock);
    disabled.set('a', 'one', 5000);
    expect(disabled.get('a')).toBeUndefined();
    expect(disabled.size).toBe(0);
    const cache = new TtlCache<string, string>(10, clock);
    cache.set('a', 'one', 0);
    cache.set('b', 'two', -1);
    vi.advanceTimersByTime(365 * 24 * 3600 * 1000);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
