import { registerAs } from '@nestjs/config';
import { envInt, envString } from '@snip/common';

// HTTP settings of the redirector (cluster-internal).
export const appConfig = registerAs('app', () => ({
  port: envInt(process.env, 'PORT', 3001, 0, 65535),
  host: envString(process.env, 'HOST', '0.0.0.0'),
  shutdownDelayMs: envInt(process.env, 'SHUTDOWN_DELAY_MS', 0, 0, 60_000),
  bodyLimit: '1kb',
}));
