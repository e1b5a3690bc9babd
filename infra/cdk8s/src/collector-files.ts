import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { deepMerge } from './config.js';
import type { SnipConfig } from './config.js';

/** Repository root: the folder holding `collector/` (works from src/ and from dist/src/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'collector', 'collector.yaml'))) return dir;
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('collector/collector.yaml not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** One file of the Collector configuration, keyed by its name in the ConfigMap. */
export interface ConfigFile {
  /** Key in the ConfigMap and file name under the mount path. */
  readonly key: string;
  /** Path relative to the repository root. */
  readonly source: string;
  readonly content: string;
}

/**
 * The files (in load order) that make up the Collector configuration for a deployment:
 * the base, one exporter overlay, then the optional dataset and agent overlays.
 */
export function collectorFiles(config: Pick<SnipConfig, 'collector' | 'dash0'>, root = repoRoot()): ConfigFile[] {
  const sources = ['collector/collector.yaml', `collector/overlays/exporter-${config.collector.exporter}.yaml`];
  if (config.collector.exporter === 'dash0' && config.dash0.dataset !== '') {
    sources.push('collector/overlays/dash0-dataset.yaml');
  }
  if (config.collector.mode === 'agent') sources.push('collector/overlays/agent.yaml');
  return sources.map((source) => ({
    key: source.split('/').pop() as string,
    source,
    content: readFileSync(join(root, source), 'utf8'),
  }));
}

/** The Jaeger v2 configuration file. */
export function jaegerFile(root = repoRoot()): ConfigFile {
  const source = 'collector/jaeger.yaml';
  return { key: 'jaeger.yaml', source, content: readFileSync(join(root, source), 'utf8') };
}

/** sha256 of the concatenated file contents: the pod-template checksum annotation (rolls pods when a file changes). */
export function checksum(files: readonly ConfigFile[]): string {
  return createHash('sha256')
    .update(files.map((f) => f.content).join(''))
    .digest('hex');
}

/**
 * Merges config files the way the Collector does with several `--config` flags:
 * maps merge recursively, lists and scalars of later files replace earlier ones.
 */
export function mergeCollectorConfig(contents: readonly string[]): Record<string, unknown> {
  return contents.reduce<Record<string, unknown>>(
    (acc, text) => deepMerge(acc, parse(text) ?? {}) as Record<string, unknown>,
    {},
  );
}
