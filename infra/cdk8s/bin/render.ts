/**
 * Regenerates everything derived from infra/cdk8s: deploy/<profile>/ (rendered manifests and
 * kustomizations, Argo CD and Flux examples) and the Helm chart's object templates,
 * values.schema.json, values.yaml and ci/ values files. `--out DIR` writes under DIR instead of the
 * repository.
 */
import { writeAll } from '../src/render.js';

const i = process.argv.indexOf('--out');
const out = i >= 0 ? process.argv[i + 1] : undefined;
const written = out ? writeAll(out) : writeAll();
for (const f of written) console.log(`wrote ${f}`);
