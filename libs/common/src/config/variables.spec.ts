import { LOG_LEVELS, VARIABLES } from '@snip/config-contract';
import { describe, expect, it } from 'vitest';
import { failure } from './failure.spec-helper';
import { readBool, readEnum, readInt, readList, readOptionalUrl, readString, readUrl } from './variables';

describe('reads through the contract', () => {
  it('takes defaults from it, PORT per service', () => {
    expect(readInt('PORT', 'shortener', {})).toBe(3000);
    expect(readInt('PORT', 'redirector', {})).toBe(3001);
    expect(readInt('GEO_CONCURRENCY', undefined, {})).toBe(VARIABLES.GEO_CONCURRENCY.default);
    expect(readBool('DATABASE_LOG_QUERIES', {})).toBe(false);
    expect(readString('HOST', {})).toBe('0.0.0.0');
    expect(readString('REDIS_KEY_PREFIX', {})).toBe('');
    expect(readEnum('LOG_LEVEL', {})).toBe('info');
    expect(readUrl('REDIRECTOR_URL', {})).toBe('http://127.0.0.1:3001');
    expect(readOptionalUrl('REDIS_URL', {})).toBeUndefined();
    expect(readList('SNIP_SCENARIOS', {})).toEqual([]);
  });

  it('takes bounds from it', () => {
    expect(readInt('GEO_CONCURRENCY', undefined, { GEO_CONCURRENCY: '256' })).toBe(256);
    expect(failure(() => readInt('GEO_CONCURRENCY', undefined, { GEO_CONCURRENCY: '257' })).message).toBe(
      'GEO_CONCURRENCY must be an integer from 1 to 256 (got "257")',
    );
  });

  it.each(LOG_LEVELS)('accepts LOG_LEVEL=%s', (level) => {
    expect(readEnum('LOG_LEVEL', { LOG_LEVEL: level })).toBe(level);
  });

  it('refuses an unknown LOG_LEVEL with one line listing the levels', () => {
    expect(failure(() => readEnum('LOG_LEVEL', { LOG_LEVEL: 'loud' })).message).toBe(
      'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent (got "loud")',
    );
  });

  it('refuses a list item the contract does not know', () => {
    expect(failure(() => readList('SNIP_SCENARIOS', { SNIP_SCENARIOS: 'n-plus-one,slow-db' })).message).toBe(
      'SNIP_SCENARIOS lists an unknown scenario "slow-db" (known: n-plus-one, cache-key-mismatch)',
    );
    expect(readList('TRUSTED_PROXIES', { TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1' })).toEqual(['10.0.0.0/8', '192.0.2.1']);
  });

  it('requires a URL without default and checks its protocol', () => {
    expect(failure(() => readUrl('DATABASE_URL', {})).message).toBe('DATABASE_URL is required but not set');
    expect(failure(() => readOptionalUrl('REDIS_URL', { REDIS_URL: 'http://cache' })).message).toBe(
      'REDIS_URL must use redis: or rediss: (got "http:")',
    );
  });
});
