// Everything that sets or reads a variable agrees with libs/config-contract: the apps' sources, the
// rendered manifests, the Helm chart, docker-compose.yml and the test harness.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  CONTAINER_UID,
  IMAGES,
  PLATFORM_PORTS,
  SERVICE_PORTS,
  VARIABLES,
  isReadBy,
  isVariableName,
  type Reader,
} from '@snip/config-contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { chartCiVariants, profiles, synthObjects, type K8sObject, type SnipConfig } from '../../infra/cdk8s/src/index.js';
import { SERVICE_ENV } from '../support/services.js';
import { CHART, ROOT, helmTemplate } from './helpers.js';

const READERS: readonly Reader[] = ['shortener', 'redirector', 'migrate'];
const isReader = (name: string | undefined): name is Reader => (READERS as readonly string[]).includes(name ?? '');

/** TypeScript sources under a folder, without tests. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(ROOT, dir, f));
}

const APPS = ['shortener', 'redirector'] as const;
const LIB_SOURCES = readdirSync(join(ROOT, 'libs'))
  .filter((lib) => lib !== 'config-contract')
  .flatMap((lib) => sources(`libs/${lib}/src`));
const APP_SOURCES = Object.fromEntries(APPS.map((app) => [app, sources(`apps/${app}/src`)])) as Record<(typeof APPS)[number], string[]>;
const text = (file: string) => readFileSync(file, 'utf8');

/** Variable names a source reads: process.env / env[...] lookups, the env* helpers and the contract's read* functions. */
const READ_PATTERNS = [
  /process\.env\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g,
  /process\.env\.([A-Z][A-Z0-9_]*)/g,
  /(?<![.\w])env\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g,
  /\benv(?:String|Int|Bool|Enum|List|Url|OptionalUrl)\(\s*[\w.]+\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
  /\bread(?:Int|Bool|Enum|String|Url|OptionalUrl|List)\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
  /new ConfigError\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
];

const readsIn = (source: string) => READ_PATTERNS.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));

/** Each variable read, with the files that read it. */
function readsOf(files: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of files) {
    for (const name of readsIn(text(file))) found.set(name, [...(found.get(name) ?? []), relative(ROOT, file)]);
  }
  return found;
}

/** Env entries of a workload's containers, with the Snip reader the workload runs (if any). */
function containerEnvs(objects: readonly K8sObject[]): Array<{ where: string; reader: Reader; env: Array<{ name: string; value?: string }> }> {
  return objects
    .filter((o) => o.spec?.template?.spec?.containers && isReader(o.metadata.labels?.['app.kubernetes.io/name']))
    .flatMap((o) =>
      (o.spec.template.spec.containers as Array<{ name: string; env?: Array<{ name: string; value?: string }> }>).map((c) => ({
        where: `${o.kind}/${o.metadata.name} container ${c.name}`,
        reader: o.metadata.labels['app.kubernetes.io/name'] as Reader,
        env: c.env ?? [],
      })),
    );
}

/**
 * Variables a container sets that its process does not read. Kubernetes' own `$(NAME)` expansion
 * is a reader too: the downward-API K8S_* variables exist to be spliced into OTEL_RESOURCE_ATTRIBUTES.
 */
function unread(reader: Reader, env: ReadonlyArray<{ name: string; value?: string }>): string[] {
  const expanded = new Set(env.flatMap((e) => [...(e.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)].map((m) => m[1]!)));
  return env.map((e) => e.name).filter((name) => !isReadBy(name, reader) && !expanded.has(name));
}

function expectEveryVariableRead(objects: readonly K8sObject[]): void {
  const containers = containerEnvs(objects);
  expect(containers.map((c) => c.reader).sort()).toEqual(expect.arrayContaining(['migrate', 'redirector', 'shortener']));
  for (const { where, reader, env } of containers) expect(unread(reader, env), where).toEqual([]);
}

/** Container ports named after what they serve, as the images listen on them. */
const NAMED_PORTS: Record<string, number> = {
  postgres: PLATFORM_PORTS.postgres,
  redis: PLATFORM_PORTS.redis,
  'otlp-grpc': PLATFORM_PORTS.otlpGrpc,
  'otlp-http': PLATFORM_PORTS.otlpHttp,
  health: PLATFORM_PORTS.health,
  'http-query': PLATFORM_PORTS.jaegerUi,
};

function expectPinnedConstants(objects: readonly K8sObject[], where: string): void {
  for (const { reader, env, where: container } of containerEnvs(objects)) {
    if (reader === 'migrate') continue;
    const value = (name: string) => env.find((e) => e.name === name)?.value;
    expect(value('PORT'), `${where} ${container}`).toBe(String(SERVICE_PORTS[reader]));
    expect(Number(new URL(value('OTEL_EXPORTER_OTLP_ENDPOINT')!).port), `${where} ${container}`).toBe(PLATFORM_PORTS.otlpHttp);
    const redis = value('REDIS_URL');
    if (redis !== undefined) expect(Number(new URL(redis).port), `${where} ${container}`).toBe(PLATFORM_PORTS.redis);
    if (reader === 'shortener') expect(Number(new URL(value('REDIRECTOR_URL')!).port), `${where} ${container}`).toBe(SERVICE_PORTS.redirector);
  }
  const named = objects
    .flatMap((o) => (o.spec?.template?.spec?.containers ?? []) as Array<{ ports?: Array<{ name?: string; containerPort: number }> }>)
    .flatMap((c) => c.ports ?? [])
    .filter((p) => p.name !== undefined && p.name in NAMED_PORTS);
  expect(named.length, where).toBeGreaterThan(0);
  for (const p of named) expect(p.containerPort, `${where} port ${p.name}`).toBe(NAMED_PORTS[p.name!]);
  for (const o of objects.filter((x) => x.kind === 'Deployment' && isReader(x.metadata.labels?.['app.kubernetes.io/name']))) {
    const pod = o.spec.template.spec;
    const name = o.metadata.labels['app.kubernetes.io/name'] as 'shortener' | 'redirector';
    expect(pod.securityContext.runAsUser, `${where} ${o.metadata.name}`).toBe(CONTAINER_UID);
    expect(pod.containers[0].ports.map((p: { containerPort: number }) => p.containerPort), `${where} ${o.metadata.name}`).toEqual([SERVICE_PORTS[name]]);
  }
  const pinned = new Set<string>(Object.values(IMAGES));
  const thirdParty = objects
    .flatMap((o) => (o.spec?.template?.spec?.containers ?? []) as Array<{ image: string }>)
    .map((c) => c.image)
    .filter((image) => !image.includes('snip-'));
  expect(thirdParty.length, where).toBeGreaterThan(0);
  for (const image of thirdParty) expect(pinned, `${where}: ${image}`).toContain(image);
}

describe('the apps read only what the contract defines', () => {
  const reads = readsOf([...LIB_SOURCES, ...Object.values(APP_SOURCES).flat()]);

  it('finds the reads it checks', () => {
    expect(reads.size).toBeGreaterThanOrEqual(Object.keys(VARIABLES).length);
    const source = "process.env['A_B']; process.env.C_D; env['E_F']; envInt(process.env, 'G_H', 1, 0, 2); readList('I_J');";
    expect(readsIn(source).sort()).toEqual(['A_B', 'C_D', 'E_F', 'G_H', 'I_J']);
  });

  it('every variable read in apps/*/src and libs/*/src is in the contract (or a documented family)', () => {
    const unknown = [...reads].filter(([name]) => !isVariableName(name) && !name.startsWith('OTEL_'));
    expect(unknown).toEqual([]);
  });

  it('every variable of the contract is read through it', () => {
    const all = [...LIB_SOURCES, ...Object.values(APP_SOURCES).flat()].map(text).join('\n');
    const viaContract = new Set([...all.matchAll(/\bread(?:Int|Bool|Enum|String|Url|OptionalUrl|List)\(\s*'([A-Z0-9_]+)'/g)].map((m) => m[1]));
    expect(Object.keys(VARIABLES).filter((name) => !viaContract.has(name))).toEqual([]);
  });

  it.each(APPS)('what %s reads in its own sources is documented as read by it', (app) => {
    const own = [...readsOf(APP_SOURCES[app]).keys()].filter((name) => !isReadBy(name, app));
    expect(own).toEqual([]);
  });
});

describe('every variable a deployment sets is one its process reads', () => {
  const configurations: Record<string, SnipConfig> = { ...profiles, ...chartCiVariants };

  it.each(Object.keys(configurations))('cdk8s render of %s', (name) => {
    const objects = synthObjects(configurations[name]!);
    expectEveryVariableRead(objects);
    expectPinnedConstants(objects, name);
  });

  const ciValues = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('.yaml'));
  it.each(['values.yaml', ...ciValues.map((f) => `ci/${f}`)])('helm template with %s', (file) => {
    const objects = helmTemplate(join(CHART, file)).filter((o) => !o.metadata.annotations?.['helm.sh/hook']?.includes('test'));
    expectEveryVariableRead(objects);
    expectPinnedConstants(objects, file);
  });

  it('a variable no process reads is reported', () => {
    const objects = synthObjects(profiles.kind);
    const shortener = containerEnvs(objects).find((c) => c.reader === 'shortener')!;
    expect(unread('shortener', [...shortener.env, { name: 'GEO_PROVIDER', value: 'none' }, { name: 'REDIS_TTL', value: '5' }])).toEqual([
      'GEO_PROVIDER',
      'REDIS_TTL',
    ]);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(text(join(ROOT, 'docker-compose.yml')), { merge: true }) as {
    services: Record<string, { image: string; environment?: Record<string, string>; ports?: string[] }>;
  };
  const service = (name: string) => compose.services[name]!;
  const envOf = (name: string) => service(name).environment ?? {};

  it.each([
    ['migrate', 'migrate'],
    ['redirector', 'redirector'],
    ['shortener', 'shortener'],
  ] as const)('the %s container sets only variables it reads', (name, reader) => {
    const env = Object.entries(envOf(name)).map(([n, value]) => ({ name: n, value: String(value) }));
    expect(env.length).toBeGreaterThan(0);
    expect(unread(reader, env)).toEqual([]);
  });

  it('runs the pinned images of the stores and the telemetry pipeline', () => {
    expect(service('postgres').image).toBe(IMAGES.postgres);
    expect(service('redis').image).toBe(IMAGES.redis);
    expect(service('collector').image).toBe(IMAGES.collector);
    expect(service('jaeger').image).toBe(IMAGES.jaeger);
  });

  it('uses the pinned ports', () => {
    const port = (url: string) => Number(new URL(url).port);
    expect(envOf('redirector')['PORT']).toBe(String(SERVICE_PORTS.redirector));
    expect(envOf('shortener')['PORT']).toBe(String(SERVICE_PORTS.shortener));
    expect(port(envOf('shortener')['REDIRECTOR_URL']!)).toBe(SERVICE_PORTS.redirector);
    expect(service('shortener').ports).toEqual([`${SERVICE_PORTS.shortener}:${SERVICE_PORTS.shortener}`]);
    for (const name of ['migrate', 'redirector', 'shortener']) {
      expect(port(envOf(name)['DATABASE_URL']!), name).toBe(PLATFORM_PORTS.postgres);
    }
    for (const name of ['redirector', 'shortener']) {
      expect(port(envOf(name)['REDIS_URL']!), name).toBe(PLATFORM_PORTS.redis);
      expect(port(envOf(name)['OTEL_EXPORTER_OTLP_ENDPOINT']!), name).toBe(PLATFORM_PORTS.otlpHttp);
    }
    expect(service('collector').ports?.[0]).toMatch(new RegExp(`^"?${PLATFORM_PORTS.otlpHttp}:${PLATFORM_PORTS.otlpHttp}`));
    expect(service('jaeger').ports).toEqual([`${PLATFORM_PORTS.jaegerUi}:${PLATFORM_PORTS.jaegerUi}`]);
  });
});

describe('the Collector and Jaeger configurations', () => {
  const port = (endpoint: string) => Number(endpoint.split(':').pop());
  type Otlp = { receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } } };

  it('listen on the pinned OTLP and health ports', () => {
    const collector = parse(text(join(ROOT, 'collector/collector.yaml'))) as Otlp & { extensions: { health_check: { endpoint: string } } };
    const jaeger = parse(text(join(ROOT, 'collector/jaeger.yaml'))) as Otlp & {
      extensions: { healthcheckv2: { http: { endpoint: string } }; jaeger_query: { http: { endpoint: string } } };
    };
    for (const { receivers } of [collector, jaeger]) {
      expect(port(receivers.otlp.protocols.grpc.endpoint)).toBe(PLATFORM_PORTS.otlpGrpc);
      expect(port(receivers.otlp.protocols.http.endpoint)).toBe(PLATFORM_PORTS.otlpHttp);
    }
    expect(port(collector.extensions.health_check.endpoint)).toBe(PLATFORM_PORTS.health);
    expect(port(jaeger.extensions.healthcheckv2.http.endpoint)).toBe(PLATFORM_PORTS.health);
    expect(port(jaeger.extensions.jaeger_query.http.endpoint)).toBe(PLATFORM_PORTS.jaegerUi);
  });
});

describe('the Dockerfile', () => {
  const dockerfile = text(join(ROOT, 'Dockerfile'));

  it('runs as the pinned user and exposes the service ports', () => {
    expect(dockerfile).toMatch(new RegExp(`^USER ${CONTAINER_UID}:${CONTAINER_UID}$`, 'm'));
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${SERVICE_PORTS.shortener} ${SERVICE_PORTS.redirector}$`, 'm'));
  });
});

describe('the test harness', () => {
  it.each(APPS)('starts %s with variables it reads', (app) => {
    const names = Object.keys(SERVICE_ENV[app]);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !isReadBy(name, app))).toEqual([]);
  });

  it('tests/support sets no variable the services do not read', () => {
    // The process environment a child needs, not Snip configuration.
    const processEnv = new Set(['PATH', 'HOME']);
    const keys = sources('tests/support').flatMap((file) =>
      text(file)
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
        .flatMap((line) => [...line.matchAll(/(?:^|[{,])\s*([A-Z][A-Z0-9_]{2,})\s*:/g)].map((m) => m[1]!)),
    );
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.filter((name) => !processEnv.has(name) && !READERS.some((reader) => isReadBy(name, reader)))).toEqual([]);
  });
});

describe('every setting a config module parses is used by the app', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  type Factory = (() => Record<string, unknown>) & { KEY: string };
  /** Config factories a folder's *.config.ts files export, with the file each comes from. */
  async function factoriesIn(files: readonly string[]): Promise<Array<{ file: string; factory: Factory }>> {
    const found: Array<{ file: string; factory: Factory }> = [];
    for (const file of files.filter((f) => f.endsWith('.config.ts'))) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const value of Object.values(mod)) {
        if (typeof value === 'function' && typeof (value as Partial<Factory>).KEY === 'string') found.push({ file, factory: value as Factory });
      }
    }
    return found;
  }

  /** Property names of a config object that no other source touches (`.name` or destructured). */
  function unusedProperties(file: string, config: Record<string, unknown>, elsewhere: readonly string[]): string[] {
    const others = elsewhere.filter((f) => f !== file && !f.includes('/config/')).map(text).join('\n');
    const variableOf = new Map([...text(file).matchAll(/(\w+):\s*read\w+\(\s*'([A-Z0-9_]+)'/g)].map((m) => [m[1]!, m[2]!]));
    return Object.keys(config)
      .filter((key) => !new RegExp(`\\.${key}\\b|\\{[^}]*\\b${key}\\b[^}]*\\}\\s*=`).test(others))
      .map((key) => `${relative(ROOT, file)}: ${key}${variableOf.has(key) ? ` (${variableOf.get(key)})` : ''}`);
  }

  it('reports a property nothing reads', () => {
    const file = join(ROOT, 'apps/redirector/src/config/geo.config.ts');
    const elsewhere = [...APP_SOURCES.redirector, ...LIB_SOURCES];
    expect(unusedProperties(file, { timeoutMs: 1, lookupsPerFortnight: 2 }, elsewhere)).toEqual([
      'apps/redirector/src/config/geo.config.ts: lookupsPerFortnight',
    ]);
  });

  it.each([...APPS, 'libs'] as const)('%s: every property its config modules produce is read outside them', async (owner) => {
    vi.stubEnv('DATABASE_URL', 'postgres://u@127.0.0.1/x');
    const own = owner === 'libs' ? LIB_SOURCES : APP_SOURCES[owner];
    const elsewhere = owner === 'libs' ? [...LIB_SOURCES, ...Object.values(APP_SOURCES).flat()] : [...own, ...LIB_SOURCES];
    const factories = await factoriesIn(own);
    expect(factories.length).toBeGreaterThan(0);
    const unused = factories.flatMap(({ file, factory }) => unusedProperties(file, factory(), elsewhere));
    expect(unused).toEqual([]);
  });
});
