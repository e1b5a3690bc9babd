import { registerAs } from '@nestjs/config';
import { readEnum } from './variables';

// Log verbosity, validated with the rest of the configuration rather than by pino at first use.
export const loggingConfig = registerAs('logging', () => ({
  level: readEnum('LOG_LEVEL'),
}));

export type LoggingConfig = ReturnType<typeof loggingConfig>;
