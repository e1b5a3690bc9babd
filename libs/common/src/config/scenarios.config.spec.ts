import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './env';
import { SCENARIOS, scenariosConfig } from './scenarios.config';

describe('scenariosConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    [undefined, { nPlusOne: false, cacheKeyMismatch: false }],
    ['', { nPlusOne: false, cacheKeyMismatch: false }],
    ['n-plus-one', { nPlusOne: true, cacheKeyMismatch: false }],
    ['cache-key-mismatch', { nPlusOne: false, cacheKeyMismatch: true }],
    [' n-plus-one , cache-key-mismatch ', { nPlusOne: true, cacheKeyMismatch: true }],
  ])('SNIP_SCENARIOS=%j → %j', (value, expected) => {
    vi.stubEnv('SNIP_SCENARIOS', value);
    expect(scenariosConfig()).toEqual(expected);
  });

  it.each(['n+1', 'N-PLUS-ONE', 'n-plus-one,slow-db'])('rejects %j naming the variable and the scenario', (value) => {
    vi.stubEnv('SNIP_SCENARIOS', value);
    let error: unknown;
    try {
      scenariosConfig();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).variable).toBe('SNIP_SCENARIOS');
    expect(message.startsWith('SNIP_SCENARIOS ')).toBe(true);
    expect(message).not.toMatch(/\n/);
    const unknown = value.split(',').find((name) => !(SCENARIOS as readonly string[]).includes(name));
    expect(message).toContain(`"${unknown}"`);
    for (const known of SCENARIOS) expect(message).toContain(known);
  });
});
