// The Helm chart's values.schema.json and values.yaml, read from the SnipConfig interfaces in config.ts
// with the TypeScript compiler API, so the typed configuration is the only place a setting is declared.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { Document, isMap, isScalar } from 'yaml';
import type { YAMLMap } from 'yaml';
import { repoRoot } from '../collector-files.js';

/** The subset of JSON Schema (draft-07) the configuration needs. */
export interface JsonSchema {
  $schema?: string;
  title?: string;
  description?: string;
  type?: 'object' | 'string' | 'integer' | 'boolean';
  enum?: string[];
  const?: unknown;
  $ref?: string;
  additionalProperties?: boolean;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  if?: JsonSchema;
  then?: JsonSchema;
  not?: JsonSchema;
}

const NUMERIC_TAGS = ['minimum', 'maximum', 'minLength', 'maxLength'] as const;

interface Doc {
  text: string;
  tags: Map<string, string>;
}

function jsDoc(node: ts.Node): Doc {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join(' ');
  const tags = new Map<string, string>();
  for (const d of docs) {
    for (const t of d.tags ?? []) tags.set(t.tagName.text, (ts.getTextOfJSDocComment(t.comment) ?? '').trim());
  }
  return { text: text.replace(/\s+/g, ' ').trim(), tags };
}

/** Applies the bound and pattern tags of a JSDoc block to a schema. */
function withTags(schema: JsonSchema, doc: Doc): JsonSchema {
  const out = { ...schema };
  for (const tag of NUMERIC_TAGS) {
    const v = doc.tags.get(tag);
    if (v === undefined) continue;
    if (!/^\d+$/.test(v)) throw new Error(`@${tag} must be a whole number, got "${v}"`);
    out[tag] = Number(v);
  }
  const pattern = doc.tags.get('pattern');
  if (pattern !== undefined) {
    new RegExp(pattern); // throws on a malformed pattern
    out.pattern = pattern;
  }
  return out;
}

/** Converts config.ts (source text) into a JSON schema of the interface `root`. */
export function schemaFromSource(source: string, root: string): JsonSchema {
  const file = ts.createSourceFile('config.ts', source, ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const aliases = new Map<string, ts.TypeAliasDeclaration>();
  for (const st of file.statements) {
    if (ts.isInterfaceDeclaration(st)) interfaces.set(st.name.text, st);
    if (ts.isTypeAliasDeclaration(st)) aliases.set(st.name.text, st);
  }
  const definitions: Record<string, JsonSchema> = {};

  const objectOf = (members: ts.NodeArray<ts.TypeElement>, where: string): JsonSchema => {
    const properties: Record<string, JsonSchema> = {};
    const conditions: JsonSchema[] = [];
    for (const m of members) {
      if (!ts.isPropertySignature(m) || !m.type || !ts.isIdentifier(m.name)) throw new Error(`${where}: only plain properties are supported`);
      if (m.questionToken) throw new Error(`${where}.${m.name.text}: optional properties have no place in values`);
      const doc = jsDoc(m);
      const schema = withTags(typeOf(m.type, `${where}.${m.name.text}`), doc);
      properties[m.name.text] = doc.text ? { ...schema, description: doc.text } : schema;
      const onlyWhen = doc.tags.get('onlyWhen');
      if (onlyWhen !== undefined) {
        // `@onlyWhen <sibling> <value>`: the (boolean) setting must stay false unless the sibling has that value.
        const [sibling, value] = onlyWhen.split(/\s+/);
        conditions.push({
          if: { properties: { [sibling!]: { not: { const: value } } }, required: [sibling!] },
          then: { properties: { [m.name.text]: { const: false, description: `${m.name.text} needs ${sibling} ${value}` } } },
        });
      }
    }
    if (conditions.length > 1) throw new Error(`${where}: at most one @onlyWhen per object`);
    return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties, ...conditions[0] };
  };

  function typeOf(node: ts.TypeNode, where: string): JsonSchema {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      // Every number of the configuration is a count, a size or a duration in whole units.
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'integer' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
    }
    if (ts.isParenthesizedTypeNode(node)) return typeOf(node.type, where);
    if (ts.isTypeOperatorNode(node)) return typeOf(node.type, where);
    if (ts.isUnionTypeNode(node) || ts.isLiteralTypeNode(node)) {
      const members = ts.isUnionTypeNode(node) ? node.types : [node];
      const values = members.map((t) => {
        if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) return t.literal.text;
        throw new Error(`${where}: only unions of string literals are supported`);
      });
      return { type: 'string', enum: values };
    }
    if (ts.isTypeLiteralNode(node)) return objectOf(node.members, where);
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      const alias = aliases.get(name);
      if (alias) return withTags(typeOf(alias.type, name), jsDoc(alias));
      const decl = interfaces.get(name);
      if (decl) {
        if (!definitions[name]) {
          const doc = jsDoc(decl);
          definitions[name] = { ...objectOf(decl.members, name), ...(doc.text ? { description: doc.text } : {}) };
        }
        return { $ref: `#/definitions/${name}` };
      }
    }
    throw new Error(`${where}: unsupported type ${node.getText()}`);
  }

  const decl = interfaces.get(root);
  if (!decl) throw new Error(`interface ${root} not found`);
  const top = objectOf(decl.members, root);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Snip chart values',
    description: `Generated from ${root} in infra/cdk8s/src/config.ts by \`npm run deploy:render\`.`,
    definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))),
    ...top,
  };
}

/** The chart's values schema, from infra/cdk8s/src/config.ts. */
export function valuesSchema(root = repoRoot()): JsonSchema {
  return schemaFromSource(readFileSync(join(root, 'infra/cdk8s/src/config.ts'), 'utf8'), 'SnipConfig');
}

/** Resolves a `$ref` of the schema to its definition. */
function deref(schema: JsonSchema, s: JsonSchema): JsonSchema {
  if (!s.$ref) return s;
  const def = schema.definitions?.[s.$ref.replace('#/definitions/', '')];
  if (!def) throw new Error(`unknown ${s.$ref}`);
  return { ...def, ...(s.description ? { description: s.description } : {}) };
}

/** Wraps a description into comment lines of at most `width` characters. */
function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ` ${l}`).join('\n');
}

/** values.yaml: `values` with each key's description (from the schema) as a comment above it. */
export function valuesYaml(schema: JsonSchema, values: unknown, header: string): string {
  const doc = new Document(values);
  // A shared definition (resources, autoscaling) is explained at its first use only.
  const explained = new Set<string>();
  const annotate = (node: YAMLMap, s: JsonSchema, quiet: boolean) => {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const prop = s.properties?.[String(pair.key.value)];
      if (!prop) continue;
      const resolved = deref(schema, prop);
      const description = prop.description ?? resolved.description;
      if (description && !quiet) pair.key.commentBefore = wrap(description);
      const seen = prop.$ref !== undefined && explained.has(prop.$ref);
      if (prop.$ref) explained.add(prop.$ref);
      if (isMap(pair.value)) annotate(pair.value, resolved, quiet || seen);
    }
  };
  if (isMap(doc.contents)) annotate(doc.contents, schema, false);
  return header + doc.toString({ lineWidth: 0 });
}
