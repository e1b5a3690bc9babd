import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_VERSION } from './constants';
import { TABLE_END, TABLE_START, renderConfigTable, withConfigTable } from './markdown';
import { VARIABLES, intDefault, isReadBy, type Variable } from './variables';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const entries = Object.entries(VARIABLES) as Array<[string, Variable]>;

describe('the contract', () => {
  it.each(entries)('%s has readers, a one-line description and a default its own rules accept', (name, v) => {
    expect(v.readers.length).toBeGreaterThan(0);
    expect(v.description).toMatch(/^[^\n]{3,}$/);
    if (v.type === 'int') {
      const defaults = typeof v.default === 'number' ? [v.default] : Object.values(v.default);
      for (const d of defaults) expect(Number.isInteger(d) && d >= v.min && d <= v.max, `${name}=${d}`).toBe(true);
    }
    if (v.type === 'enum') expect(v.values).toContain(v.default);
    if (v.type === 'url' && v.default !== undefined) expect(v.protocols).toContain(new URL(v.default).protocol);
  });

  it('gives PORT one default per service and refuses to guess which', () => {
    expect(intDefault('PORT', 'shortener')).toBe(3000);
    expect(intDefault('PORT', 'redirector')).toBe(3001);
    expect(() => intDefault('PORT')).toThrow(/PORT has a default per service/);
    expect(intDefault('GEO_CONCURRENCY')).toBe(8);
  });

  it('accepts OTEL_* as the SDK family and nothing it does not define', () => {
    expect(isReadBy('OTEL_SERVICE_NAME', 'shortener')).toBe(true);
    expect(isReadBy('GEO_PROVIDER', 'redirector')).toBe(true);
    expect(isReadBy('GEO_PROVIDER', 'shortener')).toBe(false);
    expect(isReadBy('REDIS_URL', 'migrate')).toBe(false);
    expect(isReadBy('REDIS_TTL', 'shortener')).toBe(false);
  });
});

describe('README configuration table', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('is the one the contract writes (run `npm run docs:config` after changing the contract)', () => {
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('lists every variable once', () => {
    const table = renderConfigTable();
    for (const name of Object.keys(VARIABLES)) expect(table.split(`| \`${name}\` |`)).toHaveLength(2);
  });

  it('is replaced between the markers only, and a README without them is refused', () => {
    const stale = `intro\n${TABLE_START}\n| old | row |\n${TABLE_END}\noutro\n`;
    expect(withConfigTable(stale)).toBe(`intro\n${TABLE_START}\n${renderConfigTable()}\n${TABLE_END}\noutro\n`);
    expect(() => withConfigTable('no markers here')).toThrow(/config-table:start/);
  });
});

describe('Node.js release', () => {
  it("is the Dockerfile's NODE_IMAGE", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(/^ARG NODE_IMAGE=node:([\d.]+)-/m.exec(dockerfile)?.[1]).toBe(NODE_VERSION);
  });

  it('is what scripts/node-runtime.sh selects, read from the Dockerfile rather than repeated', () => {
    const script = readFileSync(join(ROOT, 'scripts/node-runtime.sh'), 'utf8');
    expect(script).not.toMatch(/\d+\.\d+\.\d+/);
    const { SNIP_NODE_VERSION: _override, ...env } = process.env;
    const bin = execFileSync(join(ROOT, 'scripts/node-runtime.sh'), { encoding: 'utf8', env }).trim();
    expect(bin).toBe(join(ROOT, '.tools', `node-v${NODE_VERSION}`, 'bin'));
  });
});
