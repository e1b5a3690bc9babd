/**
 * Regenerates deploy/<profile>/ (rendered manifests + kustomization.yaml) and the Helm chart's
 * generated files from the cdk8s code. `--out DIR` writes under DIR instead of the repository.
 */
import { writeAll } from '../src/render.js';

const i = process.argv.indexOf('--out');
const out = i >= 0 ? process.argv[i + 1] : undefined;
const written = out ? writeAll(out) : writeAll();
for (const f of written) console.log(`wrote ${f}`);
