import { describe, expect, it } from 'vitest';
import { failure } from './failure.spec-helper';
import {
  ConfigError,
  envBool,
  envEnum,
  envInt,
  envList,
  envOptionalUrl,
  envString,
  envUrl,
  redact,
} from './env';

function expectOneLineNaming(error: ConfigError, variable: string): void {
  expect(error.variable).toBe(variable);
  expect(error.message.startsWith(`${variable} `)).toBe(true);
  expect(error.message).not.toMatch(/[\r\n]/);
}

describe('envString', () => {
  it('reads, trims and falls back', () => {
    expect(envString({ A: '  value ' }, 'A')).toBe('value');
    expect(envString({}, 'A', 'default')).toBe('default');
    expect(envString({ A: '   ' }, 'A', 'default')).toBe('default');
  });

  it('names a missing required variable', () => {
    const error = failure(() => envString({}, 'PUBLIC_BASE_URL'));
    expectOneLineNaming(error, 'PUBLIC_BASE_URL');
    expect(error.message).toBe('PUBLIC_BASE_URL is required but not set');
  });
});

describe('envInt', () => {
  it.each([
    [undefined, 3000],
    ['', 3000],
    ['8080', 8080],
    [' 8080 ', 8080],
    ['1', 1],
    ['65535', 65535],
  ])('%j → %d', (value, expected) => {
    expect(envInt({ PORT: value }, 'PORT', 3000, 1, 65535)).toBe(expected);
  });

  it.each(['abc', '-1', '0', '65536', '80.5', '1e3', '0x50', '80abc', '8 0'])('rejects %j naming PORT', (value) => {
    const error = failure(() => envInt({ PORT: value }, 'PORT', 3000, 1, 65535));
    expectOneLineNaming(error, 'PORT');
    expect(error.message).toContain('from 1 to 65535');
    expect(error.message).toContain(JSON.stringify(value.trim()));
  });

  it('keeps a value with a newline on one line and shortens a long one', () => {
    expectOneLineNaming(failure(() => envInt({ PORT: '80\n81' }, 'PORT', 3000, 1, 65535)), 'PORT');
    const long = failure(() => envInt({ PORT: 'x'.repeat(500) }, 'PORT', 3000, 1, 65535));
    expect(long.message.length).toBeLessThan(150);
  });
});

describe('envBool', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('%j → %s', (value, expected) => {
    expect(envBool({ FLAG: value }, 'FLAG', !expected)).toBe(expected);
  });

  it('falls back when unset', () => {
    expect(envBool({}, 'FLAG', true)).toBe(true);
    expect(envBool({ FLAG: '' }, 'FLAG', false)).toBe(false);
  });

  it.each(['maybe', '2', 'truthy', 'y'])('rejects %j naming the variable', (value) => {
    const error = failure(() => envBool({ REDIS_REQUIRED: value }, 'REDIS_REQUIRED', false));
    expectOneLineNaming(error, 'REDIS_REQUIRED');
    expect(error.message).toContain('true or false');
  });
});

describe('envEnum', () => {
  const providers = ['ip-api', 'none'] as const;

  it('accepts an allowed value and falls back when unset', () => {
    expect(envEnum({ GEO: 'none' }, 'GEO', providers, 'ip-api')).toBe('none');
    expect(envEnum({}, 'GEO', providers, 'ip-api')).toBe('ip-api');
  });

  it.each(['maxmind', 'NONE', 'ip-api,none'])('rejects %j listing the allowed values', (value) => {
    const error = failure(() => envEnum({ GEO: value }, 'GEO', providers, 'ip-api'));
    expectOneLineNaming(error, 'GEO');
    expect(error.message).toContain('ip-api, none');
  });
});

describe('envList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['a', ['a']],
    [' a , b ,, c ', ['a', 'b', 'c']],
    [',,', []],
  ])('%j → %j', (value, expected) => {
    expect(envList({ L: value }, 'L')).toEqual(expected);
  });
});

describe('envUrl', () => {
  const web = ['http:', 'https:'] as const;

  it('returns the URL without trailing slashes', () => {
    expect(envUrl({ U: 'http://localhost:3000/' }, 'U', web)).toBe('http://localhost:3000');
    expect(envUrl({ U: 'https://snip.example/base//' }, 'U', web)).toBe('https://snip.example/base');
    expect(envUrl({}, 'U', web, 'http://fallback:1')).toBe('http://fallback:1');
  });

  it('names a missing variable', () => {
    expectOneLineNaming(failure(() => envUrl({}, 'REDIRECTOR_URL', web)), 'REDIRECTOR_URL');
  });

  it('names a value that is not a URL', () => {
    const error = failure(() => envUrl({ REDIRECTOR_URL: 'redirector 3001\nport' }, 'REDIRECTOR_URL', web));
    expectOneLineNaming(error, 'REDIRECTOR_URL');
    expect(error.message).toContain('must be a URL');
  });

  it('names a wrong protocol', () => {
    const error = failure(() => envUrl({ DATABASE_URL: 'mysql://db/snip' }, 'DATABASE_URL', ['postgres:', 'postgresql:']));
    expectOneLineNaming(error, 'DATABASE_URL');
    expect(error.message).toBe('DATABASE_URL must use postgres: or postgresql: (got "mysql:")');
  });

  it('never prints the password of a URL it rejects', () => {
    const error = failure(() =>
      envUrl({ DATABASE_URL: 'postgres://snip:s3cret-pw@db:notaport/snip' }, 'DATABASE_URL', ['postgres:']),
    );
    expectOneLineNaming(error, 'DATABASE_URL');
    expect(error.message).not.toContain('s3cret-pw');
    expect(error.message).toContain('snip:***@db');
  });

  it('envOptionalUrl is undefined when unset and validates when set', () => {
    expect(envOptionalUrl({}, 'U', web)).toBeUndefined();
    expect(envOptionalUrl({ U: 'http://x/' }, 'U', web)).toBe('http://x');
    expectOneLineNaming(failure(() => envOptionalUrl({ U: 'ftp://x' }, 'U', web)), 'U');
  });
});

describe('redact', () => {
  it.each([
    ['postgres://snip:secret@db:5432/snip', 'postgres://snip:***@db:5432/snip'],
    ['redis://:secret@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['redis://default:p%40ss@cache:6379', 'redis://default:***@cache:6379'],
    ['postgres://snip@db/snip', 'postgres://snip@db/snip'],
    ['http://redirector:3001/path', 'http://redirector:3001/path'],
    ['http://host:8080/a@b', 'http://host:8080/a@b'],
  ])('%s → %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });
});

describe('redact with a raw @ in the password', () => {
  it('hides the whole password', () => {
    expect(redact('postgres://u:p@ss@host:5432/db')).toBe('postgres://u:***@host:5432/db');
  });
});
