// Writes the README's configuration table from libs/config-contract (`npm run docs:config`).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import contract from '../libs/config-contract/src/index.ts';

const readme = join(import.meta.dirname, '..', 'README.md');
const before = readFileSync(readme, 'utf8');
const after = contract.withConfigTable(before);
if (after !== before) writeFileSync(readme, after);
console.log(after === before ? 'README.md configuration table is up to date' : 'README.md configuration table rewritten');
