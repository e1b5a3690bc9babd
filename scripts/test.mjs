// `npm test`: build, lint and typecheck every project (Nx, cached), then run every Vitest project.
// Extra arguments go to Vitest, e.g. `npm test -- --project e2e`. A run that skipped any test fails
// (the JSON report is checked by check-test-report.mjs); SNIP_REQUIRE_ALL=1 (.ci/run) also stops it
// before any test when a tool is missing.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const REPORT = 'tmp/test-report.json';

function step(title, cmd, args) {
  process.stdout.write(`\n▶ ${title}\n`);
  const started = Date.now();
  const { status } = spawnSync(cmd, args, { stdio: 'inherit' });
  process.stdout.write(`  ${title}: ${status === 0 ? 'ok' : `failed (${status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (status !== 0) process.exit(status ?? 1);
}

mkdirSync('tmp', { recursive: true });
step('build, lint, typecheck', 'npx', ['nx', 'run-many', '-t', 'build', 'lint', 'typecheck', '--output-style=static']);
step('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...process.argv.slice(2)]);
// A run that skipped anything is red unless the caller accepts a thinner run (SNIP_ALLOW_SKIPS=1).
if (process.env['SNIP_ALLOW_SKIPS'] === '1') spawnSync(process.execPath, ['scripts/check-test-report.mjs', REPORT], { stdio: 'inherit' });
else step('every test ran', process.execPath, ['scripts/check-test-report.mjs', REPORT]);
