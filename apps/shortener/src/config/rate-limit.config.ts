import { registerAs } from '@nestjs/config';
import { envInt } from '@snip/common';

// Per-client limit on POST /api/shorten (0 switches it off).
export const rateLimitConfig = registerAs('rateLimit', () => ({
  shortenPerWindow: envInt(process.env, 'RATE_LIMIT_SHORTEN', 30, 0, 1_000_000),
  windowSeconds: envInt(process.env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
}));

export type RateLimitConfig = ReturnType<typeof rateLimitConfig>;
