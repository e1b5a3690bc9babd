// The README's configuration table, written from the contract so the two cannot disagree.
import { VARIABLE_FAMILIES, VARIABLES, type Reader, type Variable } from './variables';

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

const code = (text: string | number) => `\`${text}\``;

function readers(list: readonly Reader[]): string {
  const services = list.includes('shortener') && list.includes('redirector') ? ['both'] : list.filter((r) => r !== 'migrate');
  return [...services, ...(list.includes('migrate') ? ['migrate'] : [])].join(', ');
}

function defaultOf(v: Variable): string {
  switch (v.type) {
    case 'int':
      return typeof v.default === 'number' ? String(v.default) : Object.values(v.default).join(' / ');
    case 'bool':
      return String(v.default);
    case 'enum':
      return code(v.default);
    case 'string':
      return v.default === '' ? 'empty' : code(v.default);
    case 'url':
      return v.default !== undefined ? code(v.default) : (v.unset ?? '— (required)');
    case 'list':
      return v.unset ?? 'empty';
  }
}

function allowedOf(v: Variable): string {
  switch (v.type) {
    case 'int':
      return `${v.min} – ${v.max}`;
    case 'bool':
      return '`true` or `false`';
    case 'enum':
      return v.values.map(code).join(', ');
    case 'string':
      return 'text';
    case 'url':
      return v.protocols.map((p) => code(`${p}//`)).join(' or ');
    case 'list':
      if (v.items === 'cidr') return 'comma list of IPs/CIDRs';
      if (v.items === 'address') return 'comma list of IP addresses';
      return `comma list of ${v.items.map(code).join(', ')}`;
  }
}

/** The table, one row per variable and one per documented family. */
export function renderConfigTable(): string {
  const rows = Object.entries(VARIABLES).map(([name, v]: [string, Variable]) =>
    [code(name), readers(v.readers), defaultOf(v), allowedOf(v), v.description].join(' | '),
  );
  const families = VARIABLE_FAMILIES.map((f) => [code(`${f.prefix}*`), readers(f.readers), '—', '—', f.description].join(' | '));
  return ['| variable | read by | default | allowed | meaning |', '|---|---|---|---|---|', ...[...rows, ...families].map((r) => `| ${r} |`)].join('\n');
}

/** The README with the table between its markers replaced; throws when the markers are missing. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README must hold ${TABLE_START} followed by ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}
