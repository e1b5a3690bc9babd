import { registerAs } from '@nestjs/config';
import { readInt, readUrl } from '@snip/common';

// Where the shortener forwards `GET /:code`, and how long it waits before answering 502.
export const redirectorConfig = registerAs('redirector', () => ({
  url: readUrl('REDIRECTOR_URL'),
  timeoutMs: readInt('REDIRECTOR_TIMEOUT_MS'),
}));

export type RedirectorConfig = ReturnType<typeof redirectorConfig>;
