// Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=1 npm run bench ...`): self time by package and
// by function, and total (inclusive) time of the heaviest functions, as shares of the busy time.
//   node bench/profile-summary.mjs bench/profiles/<file>.cpuprofile [top=25]
import { readFileSync } from 'node:fs';
import process from 'node:process';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]\n');
  process.exit(64);
}
const top = Number(topArg ?? 25);
process.stdout.on('error', () => process.exit(0));
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map();
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
});

function where(frame) {
  const url = frame.url || '';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  if (url.includes('/libs/')) return 'snip/' + url.split('/libs/')[1].split('/')[0];
  if (url.includes('/apps/')) return 'snip/' + url.split('/apps/')[1].split('/')[0];
  return frame.functionName ? '(native/other)' : frame.functionName || '(root)';
}
const idle = new Set(['(idle)', '(program)', '(garbage collector)']);
let total = 0;
let busy = 0;
const byPkg = new Map();
const byFn = new Map();
const inclusive = new Map();
// Module loading at start-up is not the request path: counted apart.
const isStartup = (id) => {
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const f = nodes.get(p).callFrame;
    if (f.url.includes('internal/modules/') || f.functionName === 'Module._load') return true;
  }
  return false;
};
let startup = 0;
for (const [id, t] of self) {
  const frame = nodes.get(id).callFrame;
  total += t;
  const name = frame.functionName || '(anonymous)';
  if (name === '(idle)') continue;
  if (isStartup(id)) {
    startup += t;
    continue;
  }
  busy += t;
  const pkg = idle.has(name) ? name : where(frame);
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + t);
  const key = `${name} ${pkg}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
  // Inclusive: every distinct function on the stack gets the sample once.
  const seen = new Set();
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const f = nodes.get(p).callFrame;
    const k = `${f.functionName || '(anonymous)'} ${where(f)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}
const pct = (t) => `${((t / busy) * 100).toFixed(1).padStart(5)} %`;
const print = (title, map, n) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(t)}  ${k}\n`);
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s (${((busy / total) * 100).toFixed(0)} %), module loading ${(startup / 1e6).toFixed(1)} s (not counted)\n`);
print('self time by package (share of busy time)', byPkg, top);
print('self time by function', byFn, top);
print('inclusive time by function', inclusive, top);
