// Test helper shared by the config specs: runs fn, expecting a ConfigError, and returns it.
import { expect } from 'vitest';
import { ConfigError } from './env';

export function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
