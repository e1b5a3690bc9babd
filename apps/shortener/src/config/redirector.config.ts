import { registerAs } from '@nestjs/config';
import { envInt, envUrl } from '@snip/common';

// Where the shortener forwards `GET /:code`, and how long it waits before answering 502.
export const redirectorConfig = registerAs('redirector', () => ({
  url: envUrl(process.env, 'REDIRECTOR_URL', ['http:', 'https:'], 'http://127.0.0.1:3001'),
  timeoutMs: envInt(process.env, 'REDIRECTOR_TIMEOUT_MS', 5000, 100, 60_000),
}));

export type RedirectorConfig = ReturnType<typeof redirectorConfig>;
