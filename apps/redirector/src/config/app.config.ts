import { registerAs } from '@nestjs/config';
import { readInt, readString } from '@snip/common';

// HTTP settings of the redirector (cluster-internal).
export const appConfig = registerAs('app', () => ({
  port: readInt('PORT', 'redirector'),
  host: readString('HOST'),
  shutdownDelayMs: readInt('SHUTDOWN_DELAY_MS'),
  bodyLimit: '1kb',
}));
