// A stand-in for `kubectl [-n NS] get KIND[,KIND] [NAME] [-l k=v,...] -o json`, answering from a
// cluster snapshot (a `kind: List` JSON file) the way kubectl does: a single object for a name, a
// List for a selector, `Error from server (NotFound)` and exit 1 for an unknown name.
//   ENRICHMENT_KUBECTL_CLUSTER  the snapshot (required)
//   ENRICHMENT_KUBECTL_LOG      appends each invocation's arguments, one line per call
//   ENRICHMENT_KUBECTL_DOWN     behaves like kubectl without a reachable API server
/* global process, console */
import { appendFileSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (process.env.ENRICHMENT_KUBECTL_LOG) appendFileSync(process.env.ENRICHMENT_KUBECTL_LOG, `${argv.join(' ')}\n`);

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (process.env.ENRICHMENT_KUBECTL_DOWN) {
  fail(
    'E0504 09:40:12.123456   41234 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: ' +
      'Get \\"https://127.0.0.1:6443/api?timeout=32s\\": dial tcp 127.0.0.1:6443: connect: connection refused"\n' +
      'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?',
  );
}

const KINDS = {
  pod: ['Pod', 'pods'],
  pods: ['Pod', 'pods'],
  po: ['Pod', 'pods'],
  deployment: ['Deployment', 'deployments.apps'],
  deployments: ['Deployment', 'deployments.apps'],
  deploy: ['Deployment', 'deployments.apps'],
  replicaset: ['ReplicaSet', 'replicasets.apps'],
  replicasets: ['ReplicaSet', 'replicasets.apps'],
  rs: ['ReplicaSet', 'replicasets.apps'],
  daemonset: ['DaemonSet', 'daemonsets.apps'],
  daemonsets: ['DaemonSet', 'daemonsets.apps'],
  ds: ['DaemonSet', 'daemonsets.apps'],
};

let namespace = 'default';
let selector = '';
let output = '';
const positional = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '-n' || a === '--namespace') namespace = argv[++i];
  else if (a === '-l' || a === '--selector') selector = argv[++i];
  else if (a === '-o' || a === '--output') output = argv[++i];
  else if (a.startsWith('-')) fail(`error: unknown flag: ${a}`);
  else positional.push(a);
}
const [verb, kindArg, name] = positional;
if (verb !== 'get' || !kindArg) fail(`error: the stand-in only answers "get", got: ${argv.join(' ')}`);
if (output !== 'json') fail('error: the stand-in only prints -o json');
const kinds = kindArg.split(',').map((k) => KINDS[k.toLowerCase()] ?? fail(`error: the server doesn't have a resource type "${k}"`));

const objects = JSON.parse(readFileSync(process.env.ENRICHMENT_KUBECTL_CLUSTER, 'utf8')).items;
const wanted = selector === '' ? [] : selector.split(',').map((p) => p.split('='));
const matches = (o) =>
  kinds.some(([kind]) => o.kind === kind) &&
  o.metadata.namespace === namespace &&
  wanted.every(([k, v]) => o.metadata.labels?.[k] === v);

if (name !== undefined) {
  const found = objects.find((o) => matches(o) && o.metadata.name === name);
  if (!found) fail(`Error from server (NotFound): ${kinds[0][1]} "${name}" not found`);
  console.log(JSON.stringify(found, null, 4));
} else {
  console.log(JSON.stringify({ apiVersion: 'v1', items: objects.filter(matches), kind: 'List', metadata: { resourceVersion: '' } }, null, 4));
}
