import { ConfigError } from './env';

/**
 * Runs every config factory once before the application is created, so that a bad variable stops
 * the process with one line instead of a framework stack trace.
 */
export function validateConfigOrExit(service: string, factories: ReadonlyArray<() => unknown>): void {
  try {
    for (const factory of factories) factory();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: invalid configuration: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
