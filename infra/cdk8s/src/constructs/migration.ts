import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { SnipConfig } from '../config.js';
import { APP_UID, snipPullPolicy } from './app-service.js';
import { commonLabels, containerSecurity, objectName, podSecurity, resources, secretEnv, tmpVolume } from './common.js';

export interface MigrationJobProps {
  readonly config: SnipConfig;
  /** Image that carries libs/data/dist/migrate.js (the shortener image). */
  readonly image: string;
}

/** Image tags usable in an object name (the Job is named after its image). */
export const IMAGE_TAG_PATTERN = /^[a-z0-9](?:[a-z0-9.]{0,38}[a-z0-9])?$/;

/**
 * Name of the migration Job: `<name>-migrate-<image tag>`, so each new image runs the (idempotent)
 * migrations once as a new Job instead of changing an immutable one. Kustomize keeps the name in
 * step when only the tag changes (see render.ts).
 */
export function migrationJobName(config: SnipConfig): string {
  const { tag } = config.image;
  if (!IMAGE_TAG_PATTERN.test(tag)) {
    throw new Error(`image.tag must be lowercase letters, digits and dots (it names the migration Job), got "${tag}"`);
  }
  const name = `${objectName(config, 'migrate')}-${tag}`;
  // The Job controller copies the name into a pod label (at most 63 characters).
  if (name.length > 63) throw new Error(`migration Job name ${name} is longer than 63 characters: shorten name or image.tag`);
  return name;
}

/**
 * Runs the schema migrations once per image instead of in every replica's start. Ordering is the
 * deployer's: Argo CD sync wave -1 (after the stores, before the apps), a separate Flux
 * Kustomization, the quickstart's wait, or a Helm hook (the chart adds it).
 */
export class MigrationJob extends Construct {
  public readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const { config } = props;
    this.job = new kplus.Job(this, 'job', {
      metadata: {
        name: migrationJobName(config),
        labels: commonLabels(config, 'migrate'),
        // A changed template under the same tag cannot be applied in place: Argo CD recreates the Job
        // (with ApplyOutOfSyncOnly, only when it changed).
        annotations: { 'argocd.argoproj.io/sync-options': 'Force=true,Replace=true' },
      },
      podMetadata: { labels: commonLabels(config, 'migrate') },
      backoffLimit: 6,
      activeDeadline: Duration.minutes(10),
      securityContext: podSecurity(APP_UID),
      automountServiceAccountToken: false,
      restartPolicy: kplus.RestartPolicy.NEVER,
    });
    const container = this.job.addContainer({
      name: 'migrate',
      image: props.image,
      imagePullPolicy: snipPullPolicy(config),
      command: ['node', 'libs/data/dist/migrate.js'],
      securityContext: containerSecurity(APP_UID),
      resources: resources(config.migration.resources),
      volumeMounts: [{ path: '/tmp', volume: tmpVolume(this, 'tmp') }],
    });
    container.env.addVariable('DATABASE_URL', secretEnv(this, 'database-url', config.postgres.secretName, 'DATABASE_URL'));
    ApiObject.of(this.job).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  }
}
