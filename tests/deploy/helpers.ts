import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../infra/cdk8s/src/index.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHART = join(ROOT, 'charts/snip');

/** Path of the helm binary (unpacked from the npm registry by scripts/fetch-helm.sh). */
export function helmBin(): string {
  return execFileSync(join(ROOT, 'scripts/fetch-helm.sh'), { encoding: 'utf8' }).trim();
}

export function helm(args: string[]): string {
  return execFileSync(helmBin(), args, { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Parses a multi-document YAML stream (YAML 1.1 like Kubernetes), skipping empty documents. */
export function parseDocs(text: string): K8sObject[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((d) => {
      if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join('\n'));
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** `helm template` for a values file, as objects. */
export function helmTemplate(valuesFile: string, extra: string[] = []): K8sObject[] {
  return parseDocs(helm(['template', 'snip', CHART, '--namespace', 'snip', '-f', valuesFile, ...extra]));
}

const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];

/** Drops the labels only Helm adds, so chart and cdk8s output can be compared. */
export function normalize(o: K8sObject): K8sObject {
  const copy = structuredClone(o);
  const labels = copy.metadata?.labels as Record<string, string> | undefined;
  if (labels) for (const l of HELM_ONLY_LABELS) delete labels[l];
  return copy;
}

export const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function byKey(objects: K8sObject[]): Map<string, K8sObject> {
  return new Map(objects.map((o) => [key(o), normalize(o)]));
}

/** Every object of a kind. */
export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

/** The single object with a kind and name. */
export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not found`);
  return o;
}

/**
 * Validates one object against the Kubernetes API schema shipped in kubernetes-models
 * (offline; catches wrong types and missing required fields).
 */
export async function validateK8s(o: K8sObject): Promise<void> {
  const mod = (await import(`kubernetes-models/${o.apiVersion}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  try {
    new Model(o).validate();
  } catch (err) {
    throw new Error(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`, { cause: err });
  }
}
