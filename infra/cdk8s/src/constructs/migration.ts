import { createHash } from 'node:crypto';
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { SnipConfig } from '../config.js';
import { APP_UID, pullPolicyKey } from './app-service.js';
import { commonLabels, containerSecurity, objectName, podSecurity, resources, secretEnv, tmpVolume } from './common.js';

export interface MigrationJobProps {
  readonly config: SnipConfig;
  /** Image that carries libs/data/dist/migrate.js (the shortener image). */
  readonly image: string;
}

/** Name of the migration Job: one per image, so each release runs the (idempotent) migrations once. */
export function migrationJobName(config: SnipConfig, image: string): string {
  return `${objectName(config, 'migrate')}-${createHash('sha256').update(image).digest('hex').slice(0, 8)}`;
}

/**
 * Runs the schema migrations once per release instead of in every replica's start:
 * a Helm hook (after install, before upgrade) and an early Argo CD sync wave.
 */
export class MigrationJob extends Construct {
  public readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const { config } = props;
    this.job = new kplus.Job(this, 'job', {
      metadata: {
        name: migrationJobName(config, props.image),
        labels: commonLabels(config, 'migrate'),
        annotations: {
          'helm.sh/hook': 'post-install,pre-upgrade',
          'helm.sh/hook-weight': '0',
          'helm.sh/hook-delete-policy': 'before-hook-creation',
          'argocd.argoproj.io/sync-wave': '-1',
        },
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
      imagePullPolicy: kplus.ImagePullPolicy[pullPolicyKey(config.image.pullPolicy)],
      command: ['node', 'libs/data/dist/migrate.js'],
      securityContext: containerSecurity(APP_UID),
      resources: resources(config.migration.resources),
      volumeMounts: [{ path: '/tmp', volume: tmpVolume(this, 'tmp') }],
    });
    container.env.addVariable('DATABASE_URL', secretEnv(this, 'database-url', config.postgres.secretName, 'DATABASE_URL'));
    ApiObject.of(this.job).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  }
}
