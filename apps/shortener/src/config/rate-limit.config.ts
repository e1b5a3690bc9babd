import { registerAs } from '@nestjs/config';
import { readInt } from '@snip/common';

// Per-client limit on POST /api/shorten (0 switches it off).
export const rateLimitConfig = registerAs('rateLimit', () => ({
  shortenPerWindow: readInt('RATE_LIMIT_SHORTEN'),
  windowSeconds: readInt('RATE_LIMIT_WINDOW_SECONDS'),
}));

export type RateLimitConfig = ReturnType<typeof rateLimitConfig>;
