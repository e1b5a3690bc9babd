import { ConfigError } from './env';
import { loggingConfig } from './logging.config';

/**
 * Runs every config factory once before the application is created, so that a bad variable stops
 * the process with one line instead of a framework stack trace. Logging is checked first and for
 * every service, since the logger is created from it.
 */
export function validateConfigOrExit(service: string, factories: ReadonlyArray<() => unknown>): void {
  try {
    for (const factory of [loggingConfig, ...factories]) factory();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: invalid configuration: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
