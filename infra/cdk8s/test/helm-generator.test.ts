import { describe, expect, it } from 'vitest';
import { mergeVariants, sentinelConfig, SWITCH_GROUPS } from '../src/helm/templates.js';
import type { JsonSchema } from '../src/helm/values-schema.js';
import { synthObjects } from '../src/render.js';
import { schemaFromSource, valuesSchema, valuesYaml } from '../src/helm/values-schema.js';
import { deepMerge, isPlainObject, kindProfile } from '../src/config.js';
import type { SnipConfig } from '../src/config.js';

describe('values schema from the TypeScript interfaces', () => {
  const source = `
    /** A size. @pattern ^[0-9]+Mi$ */
    export type Size = string;
    export type Mode = 'a' | 'b';
    /** Inner settings. */
    export interface Inner {
      /** How many. @minimum 1 @maximum 9 */
      readonly count: number;
      readonly size: Size;
    }
    export interface Root {
      /** The mode. */
      readonly mode: Mode;
      /** Only with mode a. @onlyWhen mode a */
      readonly extra: boolean;
      readonly inner: Inner;
      readonly inline: { readonly name: string };
    }
  `;

  it('turns interfaces, aliases, literal unions and JSDoc tags into a strict schema', () => {
    const schema = schemaFromSource(source, 'Root');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['mode', 'extra', 'inner', 'inline']);
    expect(schema.properties!.mode).toEqual({ type: 'string', enum: ['a', 'b'], description: 'The mode.' });
    expect(schema.properties!.inner).toEqual({ $ref: '#/definitions/Inner' });
    expect(schema.definitions!.Inner!.properties).toEqual({
      count: { type: 'integer', minimum: 1, maximum: 9, description: 'How many.' },
      size: { type: 'string', pattern: '^[0-9]+Mi$' },
    });
    expect(schema.properties!.inline).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string' } },
    });
    expect(schema.if).toEqual({ properties: { mode: { not: { const: 'a' } } }, required: ['mode'] });
    expect(schema.then!.properties!.extra!.const).toBe(false);
  });

  it('refuses what values cannot express instead of guessing', () => {
    expect(() => schemaFromSource('export interface R { readonly x?: string }', 'R')).toThrow(/optional/);
    expect(() => schemaFromSource('export interface R { readonly x: string[] }', 'R')).toThrow(/unsupported type/);
    expect(() => schemaFromSource('export interface R { readonly x: 1 | 2 }', 'R')).toThrow(/string literals/);
    const tagged = (tag: string, type: string) => `export interface R {\n  /** ${tag} */\n  readonly x: ${type};\n}`;
    expect(() => schemaFromSource(tagged('@minimum one', 'number'), 'R')).toThrow(/whole number/);
    expect(() => schemaFromSource(tagged('@pattern ([', 'string'), 'R')).toThrow(/Invalid regular expression/);
    expect(() => schemaFromSource('export interface R { readonly x: string }', 'Missing')).toThrow(/Missing not found/);
  });

  it('gives every Secret name setting the Secret name rule', () => {
    const schema = valuesSchema();
    const rule = { pattern: schema.definitions!.PostgresConfig!.properties!.secretName!.pattern, maxLength: 253 };
    expect(rule.pattern).toBeDefined();
    for (const def of ['PostgresConfig', 'RedisConfig', 'Dash0Config']) {
      expect(schema.definitions![def]!.properties!.secretName, def).toMatchObject(rule);
    }
  });

  it('describes every key of the real configuration, with comments in values.yaml', () => {
    const schema = valuesSchema();
    expect(Object.keys(schema.properties!)).toEqual(Object.keys(kindProfile));
    const text = valuesYaml(schema, kindProfile, '# header\n');
    expect(text.startsWith('# header\n')).toBe(true);
    expect(text).toContain('# Minimum replicas');
    expect(text).toMatch(/# Reported as `k8s.cluster.name`.*\nclusterName: snip/);
  });
});

describe('merging the variants of an object', () => {
  it('keeps every variant as an ordered subsequence and shares the common lines', () => {
    const variants = [
      ['a', 'b', 'c', 'd'],
      ['a', 'x', 'c', 'd'],
      ['a', 'c', 'y'],
    ];
    const merged = mergeVariants(variants);
    variants.forEach((v, i) => expect(merged.filter((l) => l.variants.has(i)).map((l) => l.text)).toEqual(v));
    expect(merged.filter((l) => l.variants.size === 3).map((l) => l.text)).toEqual(['a', 'c']);
    expect(merged).toHaveLength(6);
  });
});

describe('settings outside SWITCH_GROUPS', () => {
  // The chart substitutes these settings' values into fixed objects; a construct that branched on
  // one would render only the synthesized branch in Helm. Each alternative value must therefore
  // leave the objects' shape (kinds, names, keys, list lengths) as the sentinel synthesis has it.
  const schema = valuesSchema();
  const switches = new Set(SWITCH_GROUPS.flat());
  const resolve = (s: JsonSchema) => (s.$ref ? schema.definitions![s.$ref.replace('#/definitions/', '')]! : s);
  const alternatives: Array<[string, unknown[]]> = [];
  const walk = (s: JsonSchema, path: string) => {
    const r = resolve(s);
    if (r.properties) for (const [k, p] of Object.entries(r.properties)) walk(p, path ? `${path}.${k}` : k);
    else if (switches.has(path) || r.pattern) return;
    else if (r.enum) alternatives.push([path, r.enum]);
    else if (r.type === 'boolean') alternatives.push([path, [false, true]]);
    else if (r.type === 'string') alternatives.push([path, ['', 'another-value']]);
  };
  walk(schema, '');
  const at = (path: string, v: unknown) => path.split('.').reduceRight<unknown>((acc, k) => ({ [k]: acc }), v);
  const shape = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(shape) : isPlainObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v;
  const contexts: Record<string, unknown> = {
    'the kind choices': {},
    'every other choice': {
      postgres: { mode: 'external', storageClassName: 'standard' },
      redis: { mode: 'external' },
      collector: { mode: 'agent', exporter: 'dash0' },
      dash0: { dataset: 'snip' },
      ingress: { enabled: true, className: 'nginx', tlsSecretName: 'tls' },
    },
  };

  it('covers the enums, booleans and free strings of the configuration', () => {
    expect(alternatives.map(([p]) => p)).toEqual(expect.arrayContaining(['image.pullPolicy', 'redirector.geoProvider', 'postgres.createSecret', 'postgres.image', 'clusterName']));
  });

  it.each(Object.entries(contexts))('only change values, never the shape of an object, with %s', (_what, context) => {
    const base = deepMerge(sentinelConfig(schema), context) as SnipConfig;
    const expected = shape(synthObjects(base));
    for (const [path, values] of alternatives) {
      for (const v of values) {
        const objects = synthObjects(deepMerge(base, at(path, v)) as SnipConfig);
        expect(shape(objects), `${path}=${String(v)} changes an object's shape: a construct branches on it, so it belongs in SWITCH_GROUPS`).toEqual(expected);
      }
    }
  });
});
