// Fails a test run that skipped anything: reads Vitest's JSON report and lists every test that did not run.
// Usage: node scripts/check-test-report.mjs <report.json>   (exit 1 when a test was skipped or todo)
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Every test in the report whose status is neither passed nor failed, as "file > full name (status)". */
export function notRun(report) {
  const found = [];
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status !== 'passed' && test.status !== 'failed') {
        found.push(`${relative(process.cwd(), file.name)} > ${test.fullName ?? test.title} (${test.status})`);
      }
    }
  }
  return found;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: check-test-report.mjs <vitest-json-report>\n');
    process.exit(2);
  }
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const skipped = notRun(report);
  if (skipped.length) {
    process.stderr.write(`${skipped.length} test(s) did not run, and every test must run here:\n${skipped.map((t) => `  ${t}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(`every one of ${report.numTotalTests ?? '?'} tests ran\n`);
}
