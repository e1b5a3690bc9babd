// Generates the Helm chart's object templates from the cdk8s constructs: the chart is synthesized with
// a unique sentinel for every setting, sentinels become Helm expressions, and the settings that
// change which objects exist (or their shape) become `{{ if }}` branches, one per synthesized variant.
import { isDeepStrictEqual } from 'node:util';
import { ApiObject, App } from 'cdk8s';
import { stringify } from 'yaml';
import { SnipChart } from '../chart.js';
import { deepMerge, isPlainObject, kindProfile } from '../config.js';
import type { Resources, SnipConfig } from '../config.js';
import { goMemLimit, commonLabels, selectorLabels } from '../constructs/common.js';
import { migrationJobName } from '../constructs/migration.js';
import { drainSteps, GRACE_MARGIN_SECONDS, terminationGracePeriodSeconds } from '../shutdown.js';
import type { AppService } from '../shutdown.js';
import type { K8sObject } from '../render.js';
import type { JsonSchema } from './values-schema.js';

/**
 * Settings that decide which objects exist or what shape they take, grouped so that no object
 * depends on two groups (the generator checks it): each group is synthesized in every combination.
 */
export const SWITCH_GROUPS: readonly (readonly string[])[] = [
  ['postgres.mode', 'redis.mode', 'postgres.storageClassName'],
  ['collector.mode', 'collector.exporter', 'dash0.dataset'],
  ['ingress.enabled', 'ingress.className', 'ingress.tlsSecretName'],
];

/** What only the chart adds to an object (hooks that exist only with Helm), applied before templating. */
export const MIGRATION_HOOK_ANNOTATIONS = {
  // Helm: after install (the database exists), before each upgrade; the previous Job is deleted first.
  'helm.sh/hook': 'post-install,pre-upgrade',
  'helm.sh/hook-delete-policy': 'before-hook-creation',
  // Argo CD rendering the chart: its own hook makes it ignore Helm's and run the Job once per sync, in wave -1.
  'argocd.argoproj.io/hook': 'Sync',
  'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
} as const;
/** The manifests' way to recreate a changed Job; a hook is recreated anyway. */
const MANIFEST_ONLY_ANNOTATIONS = ['argocd.argoproj.io/sync-options'];

function chartOnly(o: K8sObject): K8sObject {
  if (o.kind !== 'Job' || o.metadata.labels?.['app.kubernetes.io/name'] !== 'migrate') return o;
  const annotations = { ...o.metadata.annotations, ...MIGRATION_HOOK_ANNOTATIONS };
  for (const a of MANIFEST_ONLY_ANNOTATIONS) delete annotations[a];
  return { ...o, metadata: { ...o.metadata, annotations } };
}

type Leaf = string | number | boolean;
type Switch = { path: string; values: Leaf[]; condition: (v: Leaf) => string };
type Combo = ReadonlyMap<string, Leaf>;

const getPath = (o: unknown, path: string): unknown => path.split('.').reduce((v, k) => (v as Record<string, unknown>)[k], o);
function setPath(path: string, value: unknown): Record<string, unknown> {
  return path.split('.').reduceRight<unknown>((v, k) => ({ [k]: v }), value) as Record<string, unknown>;
}
const valuesRef = (path: string) => `$.Values.${path}`;
/** A property's schema with its `$ref` resolved. */
const resolve = (schema: JsonSchema, s: JsonSchema): JsonSchema => (s.$ref ? schema.definitions![s.$ref.replace('#/definitions/', '')]! : s);

/** Sentinels for every setting, and the Helm expression each one stands for. */
class Sentinels {
  readonly config: SnipConfig;
  /** sentinel string -> Helm expression of the value (a string) */
  readonly strings = new Map<string, string>();
  /** sentinel number -> Helm expression of the value (a number) */
  readonly numbers = new Map<number, string>();
  /** JSON of a synthesized block (resources) -> Helm expression of the values object */
  readonly blocks = new Map<string, string>();
  readonly nameToken: string;

  constructor(schema: JsonSchema) {
    let n = 0;
    const switches = new Set(SWITCH_GROUPS.flat());
    const walk = (value: unknown, s: JsonSchema, path: string): unknown => {
      const resolved = resolve(schema, s);
      if (s.$ref === '#/definitions/Resources') {
        // Whole blocks: valid quantities (the constructs parse them) that no other field can produce.
        const q = () => 900_000 + 1000 * ++n;
        const r: Resources = { requests: { cpu: `${q()}m`, memory: `${q()}Mi` }, limits: { cpu: `${q()}m`, memory: `${q()}Mi` } };
        this.blocks.set(canonical(r), `toYaml ${valuesRef(path)}`);
        this.strings.set(goMemLimit(r), `include "snip.goMemLimit" ${valuesRef(path)}.limits.memory`);
        return r;
      }
      if (resolved.type === 'object') {
        return Object.fromEntries(Object.keys(resolved.properties!).map((k) => [k, walk((value as Record<string, unknown>)[k], resolved.properties![k]!, path ? `${path}.${k}` : k)]));
      }
      if (resolved.type === 'integer') {
        const v = 900_000 + 1000 * ++n;
        this.numbers.set(v, valuesRef(path));
        return v;
      }
      // Switches take their values per variant (booleans are all switches or unused by the constructs).
      if (resolved.type === 'boolean' || (resolved.enum && switches.has(path))) return value;
      const token = `qq${++n}qq`;
      this.strings.set(token, path === 'name' ? 'include "snip.instance" $' : path === 'namespace' ? 'include "snip.namespace" $' : valuesRef(path));
      return token;
    };
    const config = walk(kindProfile, schema, '') as SnipConfig;
    this.config = config;
    this.nameToken = getPath(config, 'name') as string;
    // Derived values: the same functions the constructs call, turned into the chart's helpers.
    this.strings.set(migrationJobName(config), 'include "snip.migrationJobName" $');
    for (const service of ['shortener', 'redirector'] as AppService[]) {
      const drainMs = Object.values(drainSteps({ ...config, shutdown: { ...config.shutdown, delayMs: 0 } }, service)).reduce((a, b) => a + b, 0);
      this.numbers.set(
        terminationGracePeriodSeconds(config, service),
        `include "snip.terminationGracePeriodSeconds" (dict "root" $ "drainMs" ${drainMs} "marginSeconds" ${GRACE_MARGIN_SECONDS})`,
      );
    }
    const all = [...[...this.numbers.keys()].map(String), ...this.strings.keys()];
    if (new Set(all).size !== all.length) throw new Error('two settings share a sentinel: pick other sentinel values');
  }
}

/** The configuration the chart is synthesized from: a sentinel for every setting, switches as in the kind profile. */
export function sentinelConfig(schema: JsonSchema): SnipConfig {
  return new Sentinels(schema).config;
}

/** JSON with sorted keys, to compare objects regardless of key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function switchOf(schema: JsonSchema, sentinels: Sentinels, path: string): Switch {
  const s = path.split('.').reduce((parent, k) => resolve(schema, parent.properties![k]!), schema);
  const ref = valuesRef(path);
  if (s.enum) return { path, values: s.enum, condition: (v) => `eq ${ref} ${JSON.stringify(v)}` };
  if (s.type === 'boolean') return { path, values: [false, true], condition: (v) => (v ? ref : `not ${ref}`) };
  if (s.type === 'string') {
    // Empty or set: "set" synthesizes with the setting's sentinel, so its value is substituted too.
    const token = getPath(sentinels.config, path) as string;
    return { path, values: ['', token], condition: (v) => (v ? ref : `not ${ref}`) };
  }
  throw new Error(`${path} cannot be a switch`);
}

interface Rendered {
  /** Template file: the id of the top-level construct (postgres, collector, shortener, ...). */
  file: string;
  text: string;
}

/** Synthesizes one configuration: each object's template text, keyed by kind and templated name. */
function synthesize(config: SnipConfig, sentinels: Sentinels): Map<string, Rendered> {
  const app = new App({ outdir: '/nonexistent' });
  const chart = new SnipChart(app, 'snip', { config });
  const files = new Map<string, string>();
  for (const c of chart.node.findAll()) {
    if (c instanceof ApiObject) files.set(`${c.kind}/${c.name}`, c.node.scopes[2]!.node.id);
  }
  const out = new Map<string, Rendered>();
  for (const raw of chart.toJson() as K8sObject[]) {
    const file = files.get(`${raw.kind}/${raw.metadata.name}`);
    if (!file) throw new Error(`no construct for ${raw.kind}/${raw.metadata.name}`);
    const o = chartOnly(raw);
    const text = toTemplate(o, sentinels);
    out.set(`${o.kind}/${toTemplate(o.metadata.name, sentinels).trim()}`, { file, text });
  }
  return out;
}

/** YAML of a value with every sentinel replaced by its Helm expression. */
function toTemplate(value: unknown, sentinels: Sentinels): string {
  const exprs: Array<{ expr: string; block: boolean }> = [];
  const placeholder = (expr: string, block = false) => {
    exprs.push({ expr, block });
    return `HELMPLACEHOLDER${exprs.length - 1}X`;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) {
      const block = blockExpr(v, sentinels);
      if (block) return placeholder(block, true);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    if (typeof v === 'number') {
      const expr = sentinels.numbers.get(v);
      if (expr === undefined) return v;
      return placeholder(isHelper(expr) ? expr : `${expr} | int64`);
    }
    if (typeof v === 'string') {
      const expr = stringExpr(v, sentinels);
      return expr === undefined ? v : placeholder(expr);
    }
    return v;
  };
  let text = stringify(walk(value), { lineWidth: 0, version: '1.1' }).replaceAll('{{', '{{ "{{" }}');
  // Blocks: `key: PLACEHOLDER` becomes `key:` followed by the indented block.
  text = text.replace(/^(( *)(?:- )*)([^\n:]+): HELMPLACEHOLDER(\d+)X$/gm, (line, lead: string, _s, k: string, i: string) => {
    const e = exprs[Number(i)]!;
    return e.block ? `${lead}${k}: {{- ${e.expr} | nindent ${lead.length + 2} }}` : line;
  });
  return text.replace(/HELMPLACEHOLDER(\d+)X/g, (_m, i: string) => `{{ ${exprs[Number(i)]!.expr} }}`);
}

/** Label maps become the chart's label helpers; resources become toYaml of the values. */
function blockExpr(v: Record<string, unknown>, sentinels: Sentinels): string | undefined {
  const block = sentinels.blocks.get(canonical(v));
  if (block) return block;
  const component = v['app.kubernetes.io/name'];
  if (typeof component !== 'string' || v['app.kubernetes.io/instance'] !== sentinels.nameToken) return undefined;
  const ctx = `(dict "root" $ "component" ${JSON.stringify(component)})`;
  if (isDeepStrictEqual(v, commonLabels(sentinels.config, component))) return `include "snip.labels" ${ctx}`;
  if (isDeepStrictEqual(v, selectorLabels(sentinels.config, component))) return `include "snip.selectorLabels" ${ctx}`;
  return undefined;
}

/** Helpers print plain names and numbers; values are quoted (strings) or converted (numbers). */
const isHelper = (expr: string) => expr.startsWith('include ');
const TOKEN = /qq\d+qq/;
/** What follows the name sentinel in `<name>-<component>`: lowercase words up to the next sentinel. */
const COMPONENT = /^-((?:(?!qq\d+qq)[a-z0-9]+)(?:-(?!qq\d+qq)[a-z0-9]+)*)(?![a-z0-9])/;

/** Helm expression of a string holding sentinels (undefined when it holds none). */
function stringExpr(v: string, sentinels: Sentinels): string | undefined {
  const whole = sentinels.strings.get(v);
  if (whole !== undefined) return isHelper(whole) ? whole : `${whole} | quote`;
  const numeric = /^\d+$/.test(v) ? sentinels.numbers.get(Number(v)) : undefined;
  if (numeric !== undefined) return `${numeric} | int64 | quote`;
  if (!TOKEN.test(v)) return undefined;
  // Mixed text: printf of the literal parts and the sentinels' expressions.
  let format = '';
  const args: string[] = [];
  let rest = v;
  for (let m = TOKEN.exec(rest); m; m = TOKEN.exec(rest)) {
    format += rest.slice(0, m.index).replaceAll('%', '%%');
    rest = rest.slice(m.index + m[0].length);
    const expr = sentinels.strings.get(m[0]);
    if (expr === undefined) throw new Error(`unknown sentinel ${m[0]} in "${v}"`);
    const component = m[0] === sentinels.nameToken ? COMPONENT.exec(rest) : null;
    if (component) {
      // `<name>-<component>`: the chart's object name helper.
      args.push(`(include "snip.fullname" (dict "root" $ "component" ${JSON.stringify(component[1])}))`);
      rest = rest.slice(component[0].length);
    } else args.push(`(${expr})`);
    format += '%s';
  }
  format += rest.replaceAll('%', '%%');
  if (format === '%s' && isHelper(args[0]!.slice(1))) return args[0]!.slice(1, -1);
  return `printf ${JSON.stringify(format)} ${args.join(' ')} | quote`;
}

function product(switches: Switch[]): Combo[] {
  return switches.reduce<Combo[]>((acc, s) => acc.flatMap((c) => s.values.map((v) => new Map([...c, [s.path, v]]))), [new Map()]);
}

function configFor(sentinels: Sentinels, combo: Combo): SnipConfig {
  let config: unknown = sentinels.config;
  for (const [path, v] of combo) config = deepMerge(config, setPath(path, v));
  return config as SnipConfig;
}

/** A partial assignment of switches; '*' means any value. */
type Assignment = Map<string, Leaf | '*'>;

/** Merges assignments that together cover every value of one switch (repeated until none do). */
function simplify(assignments: Assignment[], switches: Switch[]): Assignment[] {
  let current = assignments;
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of switches) {
      const groups = new Map<string, Assignment[]>();
      for (const a of current) {
        const k = JSON.stringify([...a].filter(([p]) => p !== s.path));
        groups.set(k, [...(groups.get(k) ?? []), a]);
      }
      const next: Assignment[] = [];
      for (const g of groups.values()) {
        const values = new Set(g.map((a) => a.get(s.path)));
        if (!values.has('*') && s.values.every((v) => values.has(v))) {
          next.push(new Map([...g[0]!].map(([p, v]) => [p, p === s.path ? '*' : v])));
          changed = true;
        } else next.push(...g);
      }
      current = next;
    }
  }
  return current;
}

function conditionOf(assignments: Assignment[], switches: Switch[]): string {
  const byPath = new Map(switches.map((s) => [s.path, s]));
  const terms = assignments.map((a) => {
    const parts = [...a].filter(([, v]) => v !== '*').map(([p, v]) => byPath.get(p)!.condition(v as Leaf));
    return parts.length === 1 ? parts[0]! : `and ${parts.map((p) => `(${p})`).join(' ')}`;
  });
  return terms.length === 1 ? terms[0]! : `or ${terms.map((t) => `(${t})`).join(' ')}`;
}

/** A line of a merged object and the variants (indexes) that contain it. */
interface Line {
  text: string;
  variants: Set<number>;
}

/**
 * Merges variants of one object into a sequence that contains each variant, in order, as the lines
 * tagged with its index (a common supersequence, built by longest common subsequence).
 */
export function mergeVariants(variants: readonly string[][]): Line[] {
  let merged: Line[] = (variants[0] ?? []).map((text) => ({ text, variants: new Set([0]) }));
  for (let v = 1; v < variants.length; v++) {
    const b = variants[v]!;
    const n = merged.length;
    const m = b.length;
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = merged[i]!.text === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    const out: Line[] = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && merged[i]!.text === b[j]) {
        merged[i]!.variants.add(v);
        out.push(merged[i++]!);
        j++;
      } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(merged[i++]!);
      else out.push({ text: b[j++]!, variants: new Set([v]) });
    }
    merged = out;
  }
  return merged;
}

/** Template text of one object from its variants: shared lines as they are, the others under conditions. */
function objectTemplate(
  variants: Array<{ text: string; assignments: Assignment[] }>,
  absent: Assignment[],
  switches: Switch[],
): string {
  const present = variants.flatMap((v) => v.assignments);
  // Conditions inside the object may assume it exists: absent combinations are "don't care".
  const condition = (assignments: Assignment[]) => {
    const simplified = simplify([...assignments, ...absent], switches).filter((a) => present.some((p) => covers(a, p)));
    return conditionOf(simplified, switches);
  };
  const lines = mergeVariants(variants.map((v) => units(v.text.replace(/\n$/, '').split('\n'))));
  const all = variants.length;
  const out: string[] = [];
  const runs: Line[][] = [];
  for (const line of lines) {
    const last = runs.at(-1);
    if (last && sameSet(last[0]!.variants, line.variants)) last.push(line);
    else runs.push([line]);
  }
  for (let r = 0; r < runs.length; ) {
    if (runs[r]![0]!.variants.size === all) {
      out.push(...runs[r++]!.map((l) => l.text));
      continue;
    }
    // A chain of runs for disjoint sets of variants becomes if / else if / else.
    const chain: Line[][] = [runs[r++]!];
    const covered = new Set(chain[0]![0]!.variants);
    while (r < runs.length && runs[r]![0]!.variants.size !== all && [...runs[r]![0]!.variants].every((v) => !covered.has(v))) {
      for (const v of runs[r]![0]!.variants) covered.add(v);
      chain.push(runs[r++]!);
    }
    chain.forEach((run, k) => {
      const ids = [...run[0]!.variants];
      const last = k === chain.length - 1 && k > 0 && covered.size === all;
      const cond = condition(ids.flatMap((id) => variants[id]!.assignments));
      out.push(last ? '{{- else }}' : `{{- ${k === 0 ? 'if' : 'else if'} ${cond} }}`, ...run.map((l) => l.text));
    });
    out.push('{{- end }}');
  }
  const body = `---\n${out.join('\n')}\n`;
  return absent.length === 0 ? body : `{{- if ${conditionOf(simplify(present, switches), switches)} }}\n${body}{{- end }}\n`;
}

/** Lines, with each block scalar (a file in a ConfigMap) kept whole so variants share or differ in whole files. */
function units(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i++]!;
    if (!/:\s[|>][-+]?$/.test(line)) {
      out.push(line);
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const block = [line];
    while (i < lines.length && (lines[i] === '' || lines[i]!.length - lines[i]!.trimStart().length > indent)) block.push(lines[i++]!);
    out.push(block.join('\n'));
  }
  return out;
}

const sameSet = (a: Set<number>, b: Set<number>) => a.size === b.size && [...a].every((x) => b.has(x));
/** Whether a (partial) assignment matches a full one. */
const covers = (a: Assignment, full: Assignment) => [...a].every(([p, v]) => v === '*' || full.get(p) === v);

/** Every generated template, keyed by its file name under charts/snip/templates. */
export function chartTemplates(schema: JsonSchema, header: (file: string) => string): Map<string, string> {
  const sentinels = new Sentinels(schema);
  const groups = SWITCH_GROUPS.map((paths) => paths.map((p) => switchOf(schema, sentinels, p)));
  // The kind profile's choices are the base; each group varies with the others held there.
  const baseCombo: Combo = new Map(
    groups.flat().map((s) => {
      const v = getPath(kindProfile, s.path) as Leaf;
      return [s.path, s.values.includes(v) ? v : s.values[0]!];
    }),
  );
  const base = synthesize(configFor(sentinels, baseCombo), sentinels);

  const order: string[] = [...base.keys()];
  const perGroup = groups.map((switches) => {
    const combos = product(switches);
    const renders = combos.map((c) => synthesize(configFor(sentinels, new Map([...baseCombo, ...c])), sentinels));
    for (const r of renders) for (const k of r.keys()) if (!order.includes(k)) order.push(k);
    return { switches, combos, renders };
  });

  const files = new Map<string, string>();
  for (const key of order) {
    const varying = perGroup.filter((g) => g.renders.some((r) => r.get(key)?.text !== base.get(key)?.text));
    if (varying.length > 1) throw new Error(`${key} depends on settings of two switch groups: merge the groups`);
    const file = `templates/${(base.get(key) ?? perGroup.flatMap((g) => g.renders).find((r) => r.has(key))!.get(key)!).file}.yaml`;
    let text: string;
    if (varying.length === 0) text = `---\n${base.get(key)!.text}`;
    else {
      const { switches, combos, renders } = varying[0]!;
      const textOf = (i: number) => renders[i]!.get(key)?.text;
      // A switch matters to this object when flipping it alone changes the object.
      const relevant = switches.filter((s) =>
        combos.some((c, i) => combos.some((d, j) => [...c].every(([p, v]) => p === s.path || d.get(p) === v) && textOf(i) !== textOf(j))),
      );
      const byText = new Map<string, Assignment[]>();
      const absent: Assignment[] = [];
      const seen = new Map<string, string | undefined>();
      combos.forEach((c, i) => {
        const a: Assignment = new Map(relevant.map((s) => [s.path, c.get(s.path)!]));
        const id = JSON.stringify([...a]);
        if (seen.has(id)) {
          if (seen.get(id) !== textOf(i)) throw new Error(`${key}: variants disagree on irrelevant switches`);
          return;
        }
        const t = textOf(i);
        seen.set(id, t);
        if (t === undefined) absent.push(a);
        else byText.set(t, [...(byText.get(t) ?? []), a]);
      });
      text = objectTemplate([...byText].map(([t, assignments]) => ({ text: t, assignments })), absent, relevant);
    }
    files.set(file, (files.get(file) ?? header(file.replace(/^templates\/|\.yaml$/g, ''))) + text);
  }
  return files;
}
