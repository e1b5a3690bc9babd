import { randomBytes } from 'node:crypto';

// 64 URL-safe symbols: a byte masked to 6 bits maps onto them without bias.
export const SHORT_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const SHORT_CODE_LENGTH = 8;
/** What the shortener accepts as a code in a path; anything else is a 404 without a lookup. */
export const SHORT_CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export function generateShortCode(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(SHORT_CODE_LENGTH);
  let code = '';
  for (let i = 0; i < SHORT_CODE_LENGTH; i++) code += SHORT_CODE_ALPHABET[bytes[i]! & 63];
  return code;
}

export function isValidShortCode(code: string): boolean {
  return SHORT_CODE_PATTERN.test(code);
}
