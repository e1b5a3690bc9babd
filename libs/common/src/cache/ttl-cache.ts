// A bounded in-process cache with per-entry expiry, on lru-cache.
import { LRUCache } from 'lru-cache';

/**
 * At most `maxEntries` entries (the least recently used makes room), each kept for the time to live
 * it was written with. Guards lru-cache's defaults: a bound of 0 disables the cache, and a time to
 * live ≤ 0 stores nothing (lru-cache would keep such an entry forever).
 */
export class TtlCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  private readonly lru: LRUCache<K, V> | undefined;

  /** @param clock time source in ms (monotonic by default); lru-cache reads a start time of 0 as "no expiry". */
  constructor(maxEntries: number, clock: { now(): number } = performance) {
    this.lru = maxEntries > 0 ? new LRUCache<K, V>({ max: maxEntries, perf: clock }) : undefined;
  }

  get(key: K): V | undefined {
    return this.lru?.get(key);
  }

  set(key: K, value: V, ttlMs: number): void {
    if (ttlMs > 0) this.lru?.set(key, value, { ttl: ttlMs });
  }

  /** Entries held, including expired ones not yet read. */
  get size(): number {
    return this.lru?.size ?? 0;
  }
}
