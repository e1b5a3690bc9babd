import { describe, expect, it } from 'vitest';
import { generateShortCode, isValidShortCode, SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH } from './short-code';

const fixed = (...bytes: number[]) => () => Buffer.from(bytes);

describe('short-code alphabet', () => {
  it('has 64 distinct URL-safe symbols', () => {
    expect(SHORT_CODE_ALPHABET).toHaveLength(64);
    expect(new Set(SHORT_CODE_ALPHABET).size).toBe(64);
    expect(SHORT_CODE_ALPHABET).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(SHORT_CODE_LENGTH).toBe(8);
  });
});

describe('generateShortCode', () => {
  it('asks the random source for exactly 8 bytes, once', () => {
    const sizes: number[] = [];
    generateShortCode((size) => {
      sizes.push(size);
      return Buffer.alloc(size);
    });
    expect(sizes).toEqual([8]);
  });

  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 0], 'AAAAAAAA'],
    [[0, 1, 2, 3, 4, 5, 6, 7], 'ABCDEFGH'],
    [[26, 27, 51, 52, 61, 62, 63, 25], 'abz09-_Z'],
    // the top two bits are dropped, so each byte maps to exactly one of 64 symbols
    [[64, 128, 192, 255, 65, 190, 127, 191], 'AAA_B-__'],
  ])('maps bytes %j to %s', (bytes, expected) => {
    expect(generateShortCode(fixed(...bytes))).toBe(expected);
  });

  it('uses every byte value without bias: 256 values hit each symbol exactly 4 times', () => {
    const counts = new Map<string, number>();
    for (let start = 0; start < 256; start += 8) {
      const code = generateShortCode(() => Buffer.from(Array.from({ length: 8 }, (_, i) => start + i)));
      for (const symbol of code) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    }
    expect(counts.size).toBe(64);
    expect(new Set(counts.values())).toEqual(new Set([4]));
  });

  it('produces valid 8-character codes from the default cryptographic source', () => {
    const codes = Array.from({ length: 10_000 }, () => generateShortCode());
    for (const code of codes) {
      expect(code).toHaveLength(8);
      expect(isValidShortCode(code)).toBe(true);
    }
    // 48 random bits per code: a repeat among 10 000 has a probability near 2e-7.
    expect(new Set(codes).size).toBe(codes.length);
    // 80 000 symbols: the chance that any of the 64 never appears is below 1e-500.
    const seen = new Set(codes.join(''));
    expect(seen.size).toBe(64);
    // Every position varies.
    for (let i = 0; i < 8; i++) expect(new Set(codes.map((c) => c[i])).size).toBe(64);
  });
});

describe('isValidShortCode', () => {
  it.each(['a', 'Ab3_-xYz', 'A'.repeat(32), '0', '-', '_', 'abcDEF123', 'x'.repeat(8)])('accepts %j', (code) => {
    expect(isValidShortCode(code)).toBe(true);
  });

  it.each([
    '',
    'A'.repeat(33),
    '../health',
    '..%2Fhealth',
    '%2F',
    'abc/def',
    'abc.def',
    'abc def',
    ' abc',
    'abc\n',
    'abc?x=1',
    'abc#x',
    'é',
    'abcé',
    'ａｂｃ', // full-width letters
    '١٢٣', // Arabic-Indic digits
    'abc\u0000',
    '<script>',
  ])('rejects %j', (code) => {
    expect(isValidShortCode(code)).toBe(false);
  });
});
