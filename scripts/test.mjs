// `npm test`: build, lint and typecheck every project (Nx, cached), then run every Vitest project.
// Extra arguments go to Vitest, e.g. `npm test -- --project e2e`.
import { spawnSync } from 'node:child_process';

function step(title, cmd, args) {
  process.stdout.write(`\n▶ ${title}\n`);
  const started = Date.now();
  const { status } = spawnSync(cmd, args, { stdio: 'inherit' });
  process.stdout.write(`  ${title}: ${status === 0 ? 'ok' : `failed (${status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (status !== 0) process.exit(status ?? 1);
}

step('build, lint, typecheck', 'npx', ['nx', 'run-many', '-t', 'build', 'lint', 'typecheck', '--output-style=static']);
step('tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]);
