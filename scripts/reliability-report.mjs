// Turns a run of the fault and abuse suites into the results table of docs/reliability.md.
//   node scripts/reliability-report.mjs --run   run `vitest --project faults --project abuse`, then write the table
//   node scripts/reliability-report.mjs         write the table from the last run's tmp/reliability/*.json
// Each test writes its measured outcome to tmp/reliability/<id>.json (tests/faults/support/harness.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = join(root, 'tmp', 'reliability');
const doc = join(root, 'docs', 'reliability.md');
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

let run = { seconds: undefined, files: {} };
if (process.argv.includes('--run')) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const { status } = spawnSync(
    'npx',
    ['vitest', 'run', '--project', 'faults', '--project', 'abuse', '--reporter=default', '--reporter=json', `--outputFile.json=${join(dir, 'vitest.json')}`],
    { stdio: 'inherit', cwd: root },
  );
  run.seconds = Math.round((Date.now() - started) / 1000);
  run.status = status;
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
} else {
  try {
    run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  } catch {
    // table from individual runs only
  }
}

const outcome = {};
try {
  const report = JSON.parse(readFileSync(join(dir, 'vitest.json'), 'utf8'));
  for (const file of report.testResults) {
    const rel = file.name.slice(root.length + 1);
    outcome[rel] = file.assertionResults.every((a) => a.status === 'passed') ? 'pass' : 'FAIL';
  }
} catch {
  // no JSON report: results from individual runs
}

const order = ['fault', 'load', 'abuse', 'rate-limit', 'headers'];
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !['vitest.json', 'run.json'].includes(f))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
  .sort((a, b) => order.indexOf(a.area) - order.indexOf(b.area) || a.id.localeCompare(b.id));

const project = (file) => (file.startsWith('tests/faults/') ? 'faults' : 'abuse');
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const lines = [
  START,
  '',
  `Measured on ${cases[0]?.at?.slice(0, 10) ?? 'n/a'}` +
    (run.seconds !== undefined ? `; both suites together took ${run.seconds} s (exit status ${run.status})` : '') +
    '. Regenerate with `node scripts/reliability-report.mjs --run`.',
  '',
  '| id | case | expected | measured | result | reproduce |',
  '|---|---|---|---|---|---|',
  ...cases.map(
    (c) =>
      `| ${c.id} | ${cell(c.name)} | ${cell(c.expected)} | ${cell(c.measured)} | ${outcome[c.file] ?? 'see run'} | \`npx vitest run --project ${project(c.file)} ${c.file}\` |`,
  ),
  '',
  END,
];
const text = readFileSync(doc, 'utf8');
const from = text.indexOf(START);
const to = text.indexOf(END);
if (from < 0 || to < 0) throw new Error(`${doc} has no ${START} … ${END} block`);
writeFileSync(doc, text.slice(0, from) + lines.join('\n') + text.slice(to + END.length));
console.log(`wrote ${cases.length} cases to docs/reliability.md`);
if (run.status) process.exit(run.status);
