import { Testing } from 'cdk8s';
import { SnipChart } from '../src/chart.js';
import type { SnipConfig } from '../src/config.js';
import type { K8sObject } from '../src/render.js';

/** Synthesizes a configuration with cdk8s' Testing helpers. */
export function synth(config: SnipConfig): K8sObject[] {
  return Testing.synth(new SnipChart(Testing.app(), 'test', { config })) as K8sObject[];
}

export function get(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not synthesized`);
  return o;
}

/** Pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job). */
export const podSpec = (o: K8sObject) => o.spec.template.spec;

/** Env of a container as [name, entry] pairs in order. */
export function envOf(o: K8sObject, container = 0): Array<{ name: string; value?: string; valueFrom?: any }> {
  return podSpec(o).containers[container].env ?? [];
}
